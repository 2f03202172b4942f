using System.Diagnostics;
using System.Net;
using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Runner;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// N idle WebSocket connections, injected at R new ones per second, held for a time. Sources are spread over 127.0.0.2, 127.0.0.3, … so that N can pass
/// one source address's ephemeral port range (about 28 000 ports by default). Reports the server's RSS before and
/// after and the memory each connection costs it, then how long one broadcast takes to reach them all.
/// </summary>
internal sealed class ConnectionsScenario : Scenario
{
    // Ports per source address the runner uses at most: below the default range of 32768-60999 with room to spare.
    private const int PortsPerAddress = 20_000;

    // An idle client needs only a small buffer; it grows if a message arrives.
    private const int IdleReceiveBuffer = 1024;

    // Generous: one broadcast to tens of thousands of sockets on a loaded 2-core box.
    private static readonly TimeSpan BroadcastWait = TimeSpan.FromSeconds(30);

    public override string Name => "connections";

    public override string MainStep => "connect";

    public override async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var count = options.Clients ?? 1000;
        var hold = options.Duration ?? TimeSpan.FromSeconds(10);
        var perSecond = options.Rate ?? 1000;
        var node = context.Deployment.Nodes[0];
        var sourceLoopback = node.EndPoint.Address.Equals(IPAddress.Loopback);
        var addresses = sourceLoopback ? options.SourceAddresses ?? (count + PortsPerAddress - 1) / PortsPerAddress : 0;
        context.Parameter("connections", count);
        context.Parameter("new connections/s", perSecond);
        context.Parameter("hold s", hold.TotalSeconds);
        context.Parameter("source addresses", sourceLoopback ? $"127.0.0.2..127.0.0.{1 + addresses}" : "default");
        context.Parameter("open files limit", ResourceLimits.RaiseOpenFiles());

        await Task.Delay(TimeSpan.FromMilliseconds(500), context.Cancellation);
        var serverBefore = context.ServerSample();
        var rssBefore = serverBefore.RssBytes;
        var clientBefore = ProcessStats.ReadSelf().RssBytes;
        var connect = context.Step(MainStep);
        var broadcast = context.Step("broadcast to all");
        var counter = new DeliveryCounter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        var loops = new List<Task>();
        var plan = new LoadPlan(new LoadSimulation.Inject(perSecond, TimeSpan.FromSeconds(count / perSecond)));
        var connecting = Stopwatch.StartNew();
        var receivers = await Connector.StartAllAsync(context, i => plan.InjectStartOf(i), count, async i =>
        {
            var source = sourceLoopback ? new IPAddress([127, 0, 0, (byte)(2 + i % addresses)]) : null;
            var socket = await Connector.ConnectAsync(context, node, $"?name=idle{i}", connect, source, receiveBuffer: IdleReceiveBuffer);
            if (socket is null) return null;
            var receiver = new DeliveryReceiver(socket, context.RunId, _ => broadcast, counter);
            lock (loops) loops.Add(receiver.RunAsync(stop.Token));
            return receiver;
        });

        var connectSeconds = connecting.Elapsed.TotalSeconds;
        // Handshakes only: the connections are idle from here on (the server's CPU while connecting is theirs).
        var connectCpu = context.ServerSample().Cpu - serverBefore.Cpu;
        await Task.Delay(hold, context.Cancellation);
        var rssAfter = context.ServerSample().RssBytes;
        var clientAfter = ProcessStats.ReadSelf().RssBytes;
        var metrics = await MetricsScraper.ScrapeAsync(node.BaseUri, context.Cancellation);
        var reached = await BroadcastOnceAsync(context, node, count, counter, receivers.Count(r => !r.ClosedByServer));
        var closed = receivers.Count(r => r.ClosedByServer);

        await stop.CancelAsync();
        await Task.WhenAll(loops);
        foreach (var receiver in receivers)
        {
            await receiver.Socket.DisposeAsync();
            context.ClientGone();
        }

        context.Figure("connections held", receivers.Count - closed, "connections");
        context.Figure("handshakes/s while connecting", Math.Round(receivers.Count / connectSeconds), "handshakes/s");
        if (context.ServerMeasurable && receivers.Count > 0)
        {
            context.Figure("server CPU per handshake", Math.Round(connectCpu.TotalMicroseconds / receivers.Count), "µs");
        }
        if (context.ServerMeasurable)
        {
            context.Figure("server RSS before", Math.Round(rssBefore / 1048576.0, 1), "MiB");
            context.Figure("server RSS with connections", Math.Round(rssAfter / 1048576.0, 1), "MiB");
            if (receivers.Count > 0) context.Figure("server memory per connection", Math.Round((rssAfter - rssBefore) / (double)receivers.Count), "bytes");
        }

        if (receivers.Count > 0) context.Figure("client memory per connection", Math.Round((clientAfter - clientBefore) / (double)receivers.Count), "bytes");
        if (metrics?.GetValueOrDefault("chat_connections_open") is { } open and > 0) context.Figure("server's chat_connections_open", open, "connections");
        var spread = broadcast.LatencySoFar();
        context.Figure("one broadcast: receivers reached", reached, "connections");
        if (spread.Count > 0)
        {
            context.Figure("one broadcast: median receiver", spread.P50, "ms");
            context.Figure("one broadcast: last receiver", spread.Max, "ms");
        }

        context.Check("one broadcast reached every held connection", reached == receivers.Count - closed, $"{reached} of {receivers.Count - closed}");
        context.Check("all connected", receivers.Count == count, $"{receivers.Count} of {count}");
        context.Check("none closed while idle", closed == 0, $"{closed} closed by the server during the hold");
    }

    /// <summary>
    /// One chat message from one more connection to all <paramref name="expected"/> idle ones; the "broadcast to all"
    /// step records when each received it. Returns how many did within the wait.
    /// </summary>
    private static async Task<long> BroadcastOnceAsync(ScenarioContext context, Targets.TargetNode node, int senderId, DeliveryCounter counter, int expected)
    {
        await using var announcer = await Connector.ConnectAsync(context, node, "?name=announcer", context.Step("announcer connect"));
        if (announcer is null) return 0;
        var payload = new byte[ChatPayload.MaxLength(ChatPayload.MinCommentLength)];
        var length = ChatPayload.Write(payload, context.RunId, senderId, 0, Stopwatch.GetTimestamp(), ChatPayload.MinCommentLength);
        await announcer.SendTextAsync(payload.AsMemory(0, length), context.Cancellation);
        await counter.WaitForAsync(() => expected, BroadcastWait, context.Cancellation);
        await announcer.CloseAsync(context.Cancellation);
        context.ClientGone();
        return counter.Count;
    }
}
