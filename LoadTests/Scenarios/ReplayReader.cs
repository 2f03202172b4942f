using System.Diagnostics;
using Chat.LoadTests.Client;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// One client catching up with since=: keeps every id of this run it receives, in order, and the wire bytes they took,
/// until the last id it asked for arrives, the server closes, or the round's deadline.
/// </summary>
internal sealed class ReplayReader(LeanWebSocket socket, int runId, long lastId)
{
    private readonly List<long> _ids = [];

    public LeanWebSocket Socket { get; } = socket;

    public IReadOnlyList<long> Ids => _ids;

    /// <summary>Frame bytes (headers and payload as sent) of the messages kept.</summary>
    public long WireBytes { get; private set; }

    /// <summary>Messages kept that came compressed (permessage-deflate).</summary>
    public long Compressed { get; private set; }

    /// <summary>From the round's start to the last id; null when it never came.</summary>
    public TimeSpan? Finished { get; private set; }

    public bool ClosedByServer { get; private set; }

    public async Task RunAsync(long roundStarted, CancellationToken cancellation)
    {
        try
        {
            while (await Socket.ReceiveAsync(cancellation) is { } message)
            {
                if (!ChatPayload.TryRead(message.Span, out var id, out var tag) || tag.Run != runId) continue;
                _ids.Add(id);
                WireBytes += Socket.LastWireLength;
                if (Socket.LastCompressed) Compressed++;
                if (id < lastId) continue;
                Finished = Stopwatch.GetElapsedTime(roundStarted);
                return;
            }

            ClosedByServer = true;
        }
        catch (OperationCanceledException)
        {
            // The round's deadline: what is missing shows as gaps.
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException or ObjectDisposedException)
        {
            ClosedByServer = true;
        }
    }
}
