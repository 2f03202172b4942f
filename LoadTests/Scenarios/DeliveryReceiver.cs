using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// One receiving client: reads until the server closes or the run ends, and for each message of this run records
/// the end-to-end latency (receive time minus the send stamp in the comment), checks per-sender order, duplicates
/// and losses, and checks that server ids only increase.
/// </summary>
internal sealed class DeliveryReceiver(LeanWebSocket socket, int runId, Func<PayloadTag, StepStats> stepFor, DeliveryCounter counter)
{
    private readonly List<long> _ids = [];
    private long _lastId = long.MinValue;

    public LeanWebSocket Socket { get; } = socket;

    public SequenceChecker Sequences { get; } = new();

    /// <summary>Places where a server id was not above the one before.</summary>
    public long IdOrderViolations { get; private set; }

    /// <summary>Every id seen, this run's or not, when <see cref="KeepIds"/> is set (churn compares them).</summary>
    public IReadOnlyList<long> Ids => _ids;

    public bool KeepIds { get; init; }

    public long LastId => _lastId;

    /// <summary>True when the server closed the connection (rather than the run ending).</summary>
    public bool ClosedByServer { get; private set; }

    public async Task RunAsync(CancellationToken cancellation)
    {
        try
        {
            while (await Socket.ReceiveAsync(cancellation) is { } message)
            {
                if (!ChatPayload.TryRead(message.Span, out var id, out var tag)) continue;
                if (id <= _lastId) IdOrderViolations++;
                _lastId = Math.Max(id, _lastId);
                if (KeepIds) _ids.Add(id);
                if (tag.Run != runId) continue;
                var latency = (long)System.Diagnostics.Stopwatch.GetElapsedTime(tag.Stamp).TotalMicroseconds;
                stepFor(tag).Ok(latency, bytesIn: Socket.LastWireLength);
                Sequences.Observe(tag.Sender, tag.Sequence);
                counter.Delivered();
            }

            ClosedByServer = true;
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException or ObjectDisposedException)
        {
            ClosedByServer = true;
        }
    }
}
