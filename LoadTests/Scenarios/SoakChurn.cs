using Chat.LoadTests.Measurement;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// The churn scenario's clients inside a soak: they connect, chat, disconnect and reconnect with <c>since=</c> while
/// the fan-out and the floods go on (a reconnect refused at the cap simply tries again), and at the end each one's ids
/// must be exactly an observer's, which stayed connected. Their messages carry a run id of their own, so that the
/// fan-out's receivers do not count them.
/// </summary>
internal sealed class SoakChurn(ScenarioContext context, TargetNode node, int clients, int commentLength)
{
    private readonly ScenarioContext _own = new(context.Options, context.Deployment, context.Cancellation) { RunId = context.RunId ^ 0x4000_0000 };

    public async Task RunAsync(TimeSpan duration)
    {
        var connect = context.Step("churn connect");
        var reconnect = context.Step("churn reconnect");
        var send = context.Step("churn send");
        var deliver = context.Step("churn deliver");
        var counter = new DeliveryCounter();

        var observer = await ChurnObserver.StartAsync(_own, node, clients, commentLength, connect, send, deliver, counter);
        var start = observer.Start;

        var churners = Enumerable.Range(0, clients).Select(i => new ChurnClient(_own, node, i, start, commentLength, connect, reconnect, send, deliver, counter)).ToList();
        await Task.WhenAll(churners.Select(c => c.ChurnAsync(duration)));

        var sent = churners.Sum(c => c.Sent);
        var deadline = DateTime.UtcNow + ChurnScenario.CatchUpTimeout;
        while (observer.Receiver.Sequences.Received < sent + 1 && DateTime.UtcNow < deadline) await Task.Delay(20, context.Cancellation);
        var last = observer.Receiver.LastId;
        await Task.WhenAll(churners.Select(c => c.CatchUpAsync(last)));
        await observer.StopAsync(context.Cancellation);

        // The fan-out goes on after `last`: compare up to it, which every churner has caught up to.
        var reference = observer.Receiver.Ids.Where(id => id > start && id <= last).ToList();
        var checks = churners.Select(c => IdSequenceCheck.Compare(reference, [.. c.Ids.Where(id => id <= last)])).ToList();
        context.Figure("churn: messages sent", sent, "msg");
        context.Figure("churn: sessions", churners.Sum(c => c.Sessions), "sessions");
        context.Figure("churn: ids compared per client", reference.Count, "ids");
        context.Check("churn: every client caught up to the observer", churners.All(c => c.LastId >= last), $"{churners.Count(c => c.LastId < last)} behind");
        // A churner sends, waits 20-200 ms and closes. A message it sent that never reached the observer was never
        // broadcast to anyone, which the id checks below cannot see: no client has its id.
        var missing = sent + 1 - observer.Receiver.Sequences.Received;
        context.Figure("churn: messages sent but never broadcast", missing, "msg");
        context.Check("churn: observer got every churn message", missing == 0, $"{observer.Receiver.Sequences.Received} of {sent + 1}, {missing} never broadcast");
        context.Check("churn: no gap after reconnect", checks.Sum(c => c.Gaps) == 0, $"{checks.Sum(c => c.Gaps)} ids missing");
        context.Check("churn: no duplicate after reconnect", checks.Sum(c => c.Duplicates) == 0, $"{checks.Sum(c => c.Duplicates)} ids seen twice");
        context.Check("churn: ids in order across sessions", checks.Sum(c => c.OutOfOrder) == 0, $"{checks.Sum(c => c.OutOfOrder)} out of order");
        context.Check("churn: no foreign ids", checks.Sum(c => c.Unexpected) == 0, $"{checks.Sum(c => c.Unexpected)} ids the observer never saw");
    }
}
