using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// The client both churn runs (the churn scenario and the soak's churn) compare against: it stays connected throughout,
/// keeps every id it receives, and sends one marker message first that fixes where the run's history starts: every
/// churning client begins with since= its id (<see cref="Start"/>).
/// </summary>
internal sealed class ChurnObserver
{
    private readonly LeanWebSocket _socket;
    private readonly CancellationTokenSource _stop;
    private readonly Task _observing;

    private ChurnObserver(LeanWebSocket socket, DeliveryReceiver receiver, CancellationTokenSource stop, Task observing)
    {
        _socket = socket;
        Receiver = receiver;
        _stop = stop;
        _observing = observing;
    }

    public DeliveryReceiver Receiver { get; }

    /// <summary>The marker's id: the churning clients' first since=.</summary>
    public long Start { get; private set; }

    public static async Task<ChurnObserver> StartAsync(ScenarioContext context, TargetNode node, int senderId, int commentLength,
        StepStats connect, StepStats send, StepStats deliver, DeliveryCounter counter)
    {
        var socket = await Connector.ConnectAsync(context, node, "?name=observer", connect)
            ?? throw new TargetUnavailableException($"cannot open a WebSocket to {node.BaseUri}");
        var receiver = new DeliveryReceiver(socket, context.RunId, _ => deliver, counter) { KeepIds = true };
        var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        var observer = new ChurnObserver(socket, receiver, stop, receiver.RunAsync(stop.Token));
        var marker = new PacedSender(socket, context.RunId, senderId, commentLength, send);
        await marker.RunAsync(double.PositiveInfinity, TimeSpan.FromSeconds(5), context.Cancellation, () => marker.Sent < 1);
        await counter.WaitForAsync(() => 1, ChurnScenario.CatchUpTimeout, context.Cancellation);
        observer.Start = receiver.LastId;
        return observer;
    }

    /// <summary>Stops receiving and closes the observer's connection.</summary>
    public async Task StopAsync(CancellationToken cancellation)
    {
        await _stop.CancelAsync();
        await _observing;
        _stop.Dispose();
        await _socket.CloseAsync(cancellation);
        await _socket.DisposeAsync();
    }
}
