using Chat.LoadTests.Measurement;
using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// Clients that connect, chat, disconnect and reconnect with <c>since=</c> the last id they saw, against one observer
/// that stays connected throughout. At the end each churning client's ids, over all its sessions, must be exactly the
/// observer's: catch-up without a gap and without a duplicate.
/// </summary>
internal sealed class ChurnScenario : Scenario
{
    internal const int MessagesPerSession = 3;
    internal static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(15);

    public override string Name => "churn";

    public override string MainStep => "deliver";

    public override async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var clients = options.Clients ?? 20;
        var duration = options.Duration ?? TimeSpan.FromSeconds(10);
        var commentLength = options.MessageSize ?? 64;
        context.Parameter("churning clients", clients);
        context.Parameter("messages per session", MessagesPerSession);
        context.Parameter("duration s", duration.TotalSeconds);
        var node = context.Deployment.Nodes[0];
        var connect = context.Step("connect");
        var reconnect = context.Step("reconnect");
        var send = context.Step("send");
        var deliver = context.Step(MainStep);
        var counter = new DeliveryCounter();

        var observer = await ChurnObserver.StartAsync(context, node, clients, commentLength, connect, send, deliver, counter);
        var start = observer.Start;

        var churners = Enumerable.Range(0, clients).Select(i => new ChurnClient(context, node, i, start, commentLength, connect, reconnect, send, deliver, counter)).ToList();
        await Task.WhenAll(churners.Select(c => c.ChurnAsync(duration)));

        // Everything sent must reach the observer; then every churner catches up once more to the observer's last id.
        var sent = churners.Sum(c => c.Sent);
        await WaitUntilAsync(() => observer.Receiver.Sequences.Received >= sent + 1, context.Cancellation);
        var last = observer.Receiver.LastId;
        await Task.WhenAll(churners.Select(c => c.CatchUpAsync(last)));
        await observer.StopAsync(context.Cancellation);
        context.ClientGone();

        var reference = observer.Receiver.Ids.Where(id => id > start).ToList();
        var checks = churners.Select(c => IdSequenceCheck.Compare(reference, c.Ids)).ToList();
        context.Figure("messages sent", sent, "msg");
        context.Figure("sessions", churners.Sum(c => c.Sessions), "sessions");
        context.Figure("reconnect p99", reconnect.LatencySoFar().P99, "ms");
        context.Check("every client caught up to the observer", churners.All(c => c.LastId >= last), $"{churners.Count(c => c.LastId < last)} behind");
        context.Check("no gap after reconnect", checks.Sum(c => c.Gaps) == 0, $"{checks.Sum(c => c.Gaps)} ids missing");
        context.Check("no duplicate after reconnect", checks.Sum(c => c.Duplicates) == 0, $"{checks.Sum(c => c.Duplicates)} ids seen twice");
        context.Check("ids in order across sessions", checks.Sum(c => c.OutOfOrder) == 0, $"{checks.Sum(c => c.OutOfOrder)} out of order");
        context.Check("no foreign ids", checks.Sum(c => c.Unexpected) == 0, $"{checks.Sum(c => c.Unexpected)} ids the observer never saw");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20, cancellation);
    }
}
