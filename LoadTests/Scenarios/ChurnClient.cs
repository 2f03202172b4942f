using Chat.LoadTests.Measurement;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>One churning client: its sessions one after another, and every id it saw over all of them.</summary>
internal sealed class ChurnClient(ScenarioContext context, TargetNode node, int index, long start, int commentLength,
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
        var deadline = DateTime.UtcNow + ChurnScenario.CatchUpTimeout;
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
            await sender.RunAsync(20, TimeSpan.FromSeconds(ChurnScenario.MessagesPerSession / 20.0 + 0.01), context.Cancellation, () => sender.Sent < _sequence + ChurnScenario.MessagesPerSession);
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
