using System.Diagnostics;
using System.Net;
using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>Opens clients the way a load plan says: each at its start time, every handshake timed into a step.</summary>
internal static class Connector
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>One handshake to <paramref name="node"/>, timed into <paramref name="step"/>; null (and a failure) when it does not succeed in time.</summary>
    public static async Task<LeanWebSocket?> ConnectAsync(ScenarioContext context, TargetNode node, string query, StepStats step,
        IPAddress? localAddress = null, int socketReceiveBuffer = 0, int receiveBuffer = 16 * 1024)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        timeout.CancelAfter(ConnectTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var socket = await LeanWebSocket.ConnectAsync(node.EndPoint, "/websocket" + query, timeout.Token, localAddress, socketReceiveBuffer, receiveBuffer, node.Tls, node.Deflate);
            step.Ok(Micros(started), socket.BytesIn, socket.BytesOut);
            context.ClientConnected();
            return socket;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidDataException
            or System.Security.Authentication.AuthenticationException)
        {
            if (context.Cancellation.IsCancellationRequested) throw;
            context.ConnectFailed(e);
            step.Fail();
            return null;
        }
    }

    /// <summary>
    /// Starts <paramref name="count"/> connections at the times <paramref name="startOf"/> gives (a plan's standing or
    /// injected clients) and waits for all of them; the list holds those that connected, in index order.
    /// </summary>
    public static async Task<List<T>> StartAllAsync<T>(ScenarioContext context, Func<int, TimeSpan> startOf, int count, Func<int, Task<T?>> connect)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        var pending = new Task<T?>[count];
        for (var i = 0; i < count; i++)
        {
            var wait = startOf(i) - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, context.Cancellation);
            pending[i] = connect(i);
        }

        var results = await Task.WhenAll(pending);
        return [.. results.OfType<T>()];
    }

    public static long Micros(long startTimestamp) => (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;
}
