using Chat.LoadTests.Client;
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
    private const int MessagesPerSession = 3;
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(15);

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

        using var stopObserver = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        var observerSocket = await Connector.ConnectAsync(context, node, "?name=observer", connect)
            ?? throw new TargetUnavailableException($"cannot open a WebSocket to {node.BaseUri}");
        var observer = new DeliveryReceiver(observerSocket, context.RunId, _ => deliver, counter) { KeepIds = true };
        var observing = observer.RunAsync(stopObserver.Token);

        // A first message fixes where history starts for this run: every churning client begins with since= its id.
        var marker = new PacedSender(observerSocket, context.RunId, clients, commentLength, send);
        await marker.RunAsync(double.PositiveInfinity, TimeSpan.FromSeconds(5), context.Cancellation, () => marker.Sent < 1);
        await counter.WaitForAsync(() => 1, CatchUpTimeout, context.Cancellation);
        var start = observer.LastId;

        var churners = Enumerable.Range(0, clients).Select(i => new Churner(context, node, i, start, commentLength, connect, reconnect, send, deliver, counter)).ToList();
        await Task.WhenAll(churners.Select(c => c.ChurnAsync(duration)));

        // Everything sent must reach the observer; then every churner catches up once more to the observer's last id.
        var sent = churners.Sum(c => c.Sent);
        await WaitUntilAsync(() => observer.Sequences.Received >= sent + 1, context.Cancellation);
        var last = observer.LastId;
        await Task.WhenAll(churners.Select(c => c.CatchUpAsync(last)));
        await stopObserver.CancelAsync();
        await observing;
        await observerSocket.CloseAsync(context.Cancellation);
        await observerSocket.DisposeAsync();
        context.ClientGone();

        var reference = observer.Ids.Where(id => id > start).ToList();
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

    /// <summary>One churning client: its sessions one after another, and every id it saw over all of them.</summary>
    private sealed class Churner(ScenarioContext context, TargetNode node, int index, long start, int commentLength,
        StepStats connect, StepStats reconnect, StepStats send, StepStats deliver, DeliveryCounter counter)
    {
        private readonly List<long> _ids = [];
        private long _sequence;

        public IReadOnlyList<long> Ids => _ids;

        public long LastId { get; private set; } = start;

        public long Sent => _sequence;

        public int Sessions { get; private set; }

        public async Task ChurnAsync(TimeSpan duration)
        {
            var end = DateTime.UtcNow + duration;
            while (DateTime.UtcNow < end && !context.Cancellation.IsCancellationRequested)
            {
                await SessionAsync(chat: true);
                await Task.Delay(Random.Shared.Next(50, 250), context.Cancellation);
            }
        }

        public async Task CatchUpAsync(long last)
        {
            var deadline = DateTime.UtcNow + CatchUpTimeout;
            while (LastId < last && DateTime.UtcNow < deadline) await SessionAsync(chat: false, until: last);
        }

        private async Task SessionAsync(bool chat, long until = 0)
        {
            var socket = await Connector.ConnectAsync(context, node, $"?name=churn{index}&since={LastId}", Sessions == 0 ? connect : reconnect);
            if (socket is null) return;
            Sessions++;
            var receiver = new DeliveryReceiver(socket, context.RunId, _ => deliver, counter) { KeepIds = true };
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            var receiving = receiver.RunAsync(stop.Token);
            if (chat)
            {
                var sender = new PacedSender(socket, context.RunId, index, commentLength, send, _sequence);
                await sender.RunAsync(20, TimeSpan.FromSeconds(MessagesPerSession / 20.0 + 0.01), context.Cancellation, () => sender.Sent < _sequence + MessagesPerSession);
                _sequence = sender.Sent;
                await Task.Delay(Random.Shared.Next(20, 200), context.Cancellation);
            }
            else
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
                while (receiver.LastId < until && DateTime.UtcNow < deadline && !receiving.IsCompleted) await Task.Delay(20, context.Cancellation);
            }

            // Close, and read until the server's close frame, so that what arrived before it is counted; what it
            // did not send, the next session's since= must bring.
            await socket.CloseAsync(context.Cancellation);
            await Task.WhenAny(receiving, Task.Delay(TimeSpan.FromSeconds(5), context.Cancellation));
            await stop.CancelAsync();
            await receiving;
            await socket.DisposeAsync();
            context.ClientGone();
            _ids.AddRange(receiver.Ids);
            LastId = Math.Max(LastId, receiver.LastId);
        }
    }
}
