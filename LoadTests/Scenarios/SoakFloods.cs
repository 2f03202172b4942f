using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// The soak's three floods, each bounded in count and time: connections up to the server's cap, half-open
/// connections that the head deadline must close, and frames that announce more than the server takes.
/// </summary>
internal static class SoakFloods
{
    // Connections opened at once: enough to reach a cap of a thousand in about a second on loopback, few enough that
    // the listen backlog never overflows (an overflow would read as a slow connect, not as the cap).
    private const int Width = 32;

    // Generous: on a loaded 2-core box a connect or an answer can take seconds.
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    // Long after any deadline the server has, so that waiting longer could not change the verdict.
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(10);

    // A keep-alive request: its 200 proves the connection holds a slot, and the connection stays open afterwards.
    private static readonly byte[] HealthRequest = SoakSocket.Ascii("GET /healthz HTTP/1.1\r\nHost: soak\r\n\r\n");

    private static readonly byte[] PartialHead = SoakSocket.Ascii("GET /websocket HTTP/1.1\r\nHost: soak\r\nUpgrade: websocket\r\n");

    /// <summary>
    /// Opens connections, each with one keep-alive request, until the server refuses one (503, or closed at once) or
    /// <paramref name="limit"/> were opened; then closes them all and times how long until a chat handshake succeeds again.
    /// </summary>
    public static async Task CapFloodAsync(ScenarioContext context, TargetNode node, int limit, StepStats recover, SoakTally tally)
    {
        var held = new ConcurrentBag<SoakSocket>();
        var refused = 0;
        try
        {
            await ForEachAsync(limit, () => Volatile.Read(ref refused) > 0, async _ =>
            {
                SoakSocket? socket = null;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
                timeout.CancelAfter(AnswerTimeout);
                try
                {
                    socket = await SoakSocket.ConnectAsync(node.EndPoint, timeout.Token);
                    await socket.SendAsync(HealthRequest, timeout.Token);
                    switch (await socket.ReadStatusAsync(timeout.Token))
                    {
                        case 200:
                            held.Add(socket);
                            socket = null;
                            return;
                        case 503:
                            Interlocked.Increment(ref tally.FloodRefused503);
                            break;
                        case null:
                            Interlocked.Increment(ref tally.FloodClosedAtOnce);
                            break;
                        default:
                            Interlocked.Increment(ref tally.FloodOtherStatus);
                            break;
                    }

                    Interlocked.Increment(ref refused);
                }
                catch (Exception e) when (IsFailure(e, context))
                {
                    Interlocked.Increment(ref tally.FloodErrors);
                }
                finally
                {
                    socket?.Dispose();
                }
            });
        }
        finally
        {
            Interlocked.Add(ref tally.FloodHeld, held.Count);
            SoakTally.Max(ref tally.MaxFloodHeld, held.Count);
            foreach (var socket in held) socket.Dispose();
        }

        Interlocked.Increment(ref tally.Floods);
        if (refused > 0) Interlocked.Increment(ref tally.FloodsAtCap);
        await RecoverAsync(context, node, recover, tally);
    }

    /// <summary>
    /// Half-open connections in three kinds: silent after connect, stopped in the middle of a request head, and that
    /// same partial head followed by a half-close. The server must close each by its head deadline; waits up to <paramref name="wait"/>.
    /// </summary>
    public static async Task HalfOpenFloodAsync(ScenarioContext context, TargetNode node, int count, TimeSpan wait, SoakTally tally)
    {
        var sockets = new SoakSocket?[count];
        try
        {
            await ForEachAsync(count, () => false, async i =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
                timeout.CancelAfter(AnswerTimeout);
                try
                {
                    var socket = sockets[i] = await SoakSocket.ConnectAsync(node.EndPoint, timeout.Token);
                    if (i % 3 > 0) await socket.SendAsync(PartialHead, timeout.Token);
                    if (i % 3 == 2) socket.ShutdownSend();
                    Interlocked.Increment(ref tally.HalfOpened);
                }
                catch (Exception e) when (IsFailure(e, context))
                {
                    Interlocked.Increment(ref tally.HalfOpenErrors);
                }
            });

            await Task.WhenAll(sockets.OfType<SoakSocket>().Select(async socket =>
            {
                if (await socket.WaitClosedAsync(wait, context.Cancellation)) Interlocked.Increment(ref tally.HalfOpenClosed);
            }));
        }
        finally
        {
            foreach (var socket in sockets) socket?.Dispose();
        }
    }

    /// <summary>
    /// WebSocket connections that each send one text frame header announcing <paramref name="announced"/> bytes: each
    /// must be closed with 1009 (message too big) from the header alone.
    /// </summary>
    public static Task OversizedFloodAsync(ScenarioContext context, TargetNode node, int count, long announced, SoakTally tally) =>
        ForEachAsync(count, () => false, async i =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            timeout.CancelAfter(AnswerTimeout);
            try
            {
                using var socket = await SoakSocket.ConnectAsync(node.EndPoint, timeout.Token);
                await socket.SendAsync(HandshakeCodec.Request(node.EndPoint.ToString(), $"/websocket?name=oversized{i}", HandshakeCodec.NewKey()), timeout.Token);
                if (await socket.ReadStatusAsync(timeout.Token) != 101)
                {
                    Interlocked.Increment(ref tally.OversizedRefused);
                    return;
                }

                // A few payload bytes only: the server decides from the header, and unread bytes would make its close a reset.
                await socket.SendAsync(SoakSocket.OversizedFrame(announced, 16), timeout.Token);
                Interlocked.Increment(ref tally.OversizedSent);
                if (await socket.ReadCloseCodeAsync(timeout.Token) == 1009) Interlocked.Increment(ref tally.Oversized1009);
                else Interlocked.Increment(ref tally.OversizedOtherClose);
            }
            catch (Exception e) when (IsFailure(e, context))
            {
                Interlocked.Increment(ref tally.OversizedErrors);
            }
        });

    /// <summary>Times, from the flood's connections being closed, until a chat handshake succeeds again.</summary>
    private static async Task RecoverAsync(ScenarioContext context, TargetNode node, StepStats recover, SoakTally tally)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < RecoveryLimit)
        {
            var socket = await Connector.ConnectAsync(context, node, "?name=after-flood", recover);
            if (socket is not null)
            {
                SoakTally.Max(ref tally.MaxRecoveryMicros, Connector.Micros(started));
                await socket.CloseAsync(context.Cancellation);
                await socket.DisposeAsync();
                context.ClientGone();
                return;
            }

            await Task.Delay(20, context.Cancellation);
        }

        Interlocked.Increment(ref tally.RecoveryFailures);
    }

    /// <summary>Runs <paramref name="job"/> for 0 … count-1, <see cref="Width"/> at a time, taking no new index once <paramref name="stop"/> says so.</summary>
    private static Task ForEachAsync(int count, Func<bool> stop, Func<int, Task> job)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, Math.Min(Width, count)).Select(async _ =>
        {
            int i;
            while (!stop() && (i = Interlocked.Increment(ref next)) < count) await job(i);
        }));
    }

    private static bool IsFailure(Exception e, ScenarioContext context) =>
        !context.Cancellation.IsCancellationRequested && e is SocketException or IOException or OperationCanceledException or InvalidDataException or ObjectDisposedException;
}
