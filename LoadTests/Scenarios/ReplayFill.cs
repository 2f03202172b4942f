using System.Diagnostics;
using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// Stores the messages a replay round reads: one client sends them into the room through the server itself and
/// reads each back, so their ids are known and every one was stored (the server broadcasts only what it stored).
/// </summary>
internal static class ReplayFill
{
    // Messages in flight at most: the echoes stay far below the server's 1 MiB high-water mark even at 4 KiB, so a
    // busy load client is never dropped as a slow consumer while it fills.
    private const int InFlight = 128;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    /// <summary>The ids of the stored messages in order; fewer than asked for when the fill did not complete.</summary>
    public static async Task<IReadOnlyList<long>> RunAsync(ScenarioContext context, TargetNode node, string room, int messages, int commentLength)
    {
        var send = context.Step("fill");
        var socket = await Connector.ConnectAsync(context, node, $"?name=replayfill&room={room}", context.Step("fill connect"));
        if (socket is null) return [];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        stop.CancelAfter(Deadline);
        using var credit = new SemaphoreSlim(InFlight);
        var ids = new List<long>(messages);
        var reading = ReadBackAsync(socket, context.RunId, ids, messages, credit, stop.Token);
        var buffer = new byte[ChatPayload.MaxLength(commentLength)];
        try
        {
            for (long sequence = 0; sequence < messages && !reading.IsCompleted; sequence++)
            {
                await credit.WaitAsync(stop.Token);
                var length = ChatPayload.Write(buffer, context.RunId, 0, sequence, Stopwatch.GetTimestamp(), commentLength);
                await socket.SendTextAsync(buffer.AsMemory(0, length), stop.Token);
                send.Count(bytesOut: length);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !context.Cancellation.IsCancellationRequested)
        {
            // The deadline: the caller sees fewer ids than it asked for.
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The server closed the sender: the ids read back so far are what was stored.
        }

        await reading;
        await socket.CloseAsync(context.Cancellation);
        await socket.DisposeAsync();
        context.ClientGone();
        return ids;
    }

    private static async Task ReadBackAsync(LeanWebSocket socket, int runId, List<long> ids, int messages, SemaphoreSlim credit, CancellationToken cancellation)
    {
        try
        {
            while (ids.Count < messages && await socket.ReceiveAsync(cancellation) is { } message)
            {
                if (!ChatPayload.TryRead(message.Span, out var id, out var tag) || tag.Run != runId) continue;
                ids.Add(id);
                credit.Release();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException or InvalidDataException)
        {
            // Deadline or a dropped connection: the ids so far are what was stored.
        }
        finally
        {
            // Wakes a sender waiting for credit, which then sees the reading over.
            credit.Release(InFlight);
        }
    }
}
