using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;
using Chat.UnitTests.Tls;

namespace Chat.UnitTests.Deploy;

/// <summary>
/// deploy/nginx.conf in front of two server nodes on one PostgreSQL (issue 15): clients over wss:// through nginx get
/// every message once and in the same order; when a node is killed its clients reconnect through nginx with since=
/// and nothing is missing or doubled. The certificate is made in the test.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class NginxFrontTests(PostgresFixture fixture) : IDisposable
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);
    private readonly string _scratch = Directory.CreateTempSubdirectory("chat-nginx-").FullName;

    private async Task<ServerProcess[]> StartNodesAsync()
    {
        var store = await fixture.Cluster.CreateDatabaseAsync("nginx");
        var nodes = new ServerProcess[2];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = await ServerProcess.StartAsync(new Dictionary<string, string> { ["CHAT_POSTGRES"] = store, ["CHAT_NODE_NAME"] = $"node{i}" });
        }
        return nodes;
    }

    /// <summary>The node's <c>chat_websocket_live</c>: its clients receiving live messages.</summary>
    private static async Task<int> LiveClientsAsync(ServerProcess node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var metrics = await http.GetStringAsync(new Uri(node.HttpUri, "/metrics"));
        var line = metrics.Split('\n').Single(l => l.StartsWith("chat_websocket_live ", StringComparison.Ordinal));
        return int.Parse(line["chat_websocket_live ".Length..], CultureInfo.InvariantCulture);
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Until.TrueAsync(condition, Delivery, what, pollMilliseconds: 50);

    private static void AssertOneOrder(IReadOnlyList<IReadOnlyList<ChatFrame>> views, int expected)
    {
        foreach (var view in views)
        {
            Assert.Equal(expected, view.Count);
            Assert.Equal(views[0], view);
        }
        Assert.True(views[0].Zip(views[0].Skip(1)).All(p => p.First.Id < p.Second.Id), "ids strictly increase");
        Assert.Equal(expected, views[0].Select(f => f.Comment).Distinct().Count());
    }

    [NginxFact]
    public async Task Clients_over_wss_through_nginx_get_every_message_once_in_order_and_catch_up_with_since_when_a_node_is_killed()
    {
        const int clientCount = 6, perClient = 10, whileAway = 5, afterwards = 5;
        var nodes = await StartNodesAsync();
        using var certificate = TestCertificate.Create();
        var clients = new List<RawClient>();
        var reconnected = new List<RawClient>();
        try
        {
            await using var nginx = await NginxProcess.StartAsync(_scratch, certificate, [nodes[0].EndPoint, nodes[1].EndPoint]);
            for (var c = 0; c < clientCount; c++) clients.Add((await RawClient.OpenWebSocketAsync(nginx.WebSocketUri($"name=c{c}"), certificate.Validate)).StartCollecting());
            await WaitUntilAsync(async () => (await LiveClientsAsync(nodes[0])) + (await LiveClientsAsync(nodes[1])) == clientCount, "every client is live on a node");
            var onKilled = await LiveClientsAsync(nodes[0]);
            Assert.True(onKilled is > 0 and < clientCount, $"least_conn puts clients on both nodes ({onKilled} of {clientCount} on the first)");

            // Everyone at once, so that each node stores and broadcasts while the other does.
            await Task.WhenAll(clients.Select(async (client, c) =>
            {
                for (var i = 0; i < perClient; i++) await client.SendChatAsync($"c{c}-{i}");
            }));
            AssertOneOrder(await Task.WhenAll(clients.Select(c => c.WaitForAsync(clientCount * perClient, Delivery))), clientCount * perClient);
            foreach (var (client, c) in clients.Select((client, c) => (client, c)))
            {
                var own = client.Frames.Where(f => f.Comment.StartsWith($"c{c}-", StringComparison.Ordinal)).Select(f => f.Comment);
                Assert.Equal(Enumerable.Range(0, perClient).Select(i => $"c{c}-{i}"), own);
            }

            await nodes[0].KillAsync();
            await WaitUntilAsync(() => Task.FromResult(clients.Count(c => c.IsDropped) == onKilled), $"nginx drops the {onKilled} clients of the killed node");
            var survivors = clients.Where(c => !c.IsDropped).ToList();
            var dropped = clients.Where(c => c.IsDropped).ToList();

            // Messages the dropped clients miss while away, which since= must bring them.
            var total = clientCount * perClient;
            foreach (var (client, s) in survivors.Select((client, s) => (client, s)))
            {
                for (var i = 0; i < whileAway; i++) await client.SendChatAsync($"away s{s}-{i}");
            }
            total += survivors.Count * whileAway;
            await Task.WhenAll(survivors.Select(c => c.WaitForAsync(total, Delivery)));

            foreach (var (client, d) in dropped.Select((client, d) => (client, d)))
            {
                reconnected.Add((await RawClient.OpenWebSocketAsync(nginx.WebSocketUri($"name=back{d}&since={client.Frames[^1].Id}"), certificate.Validate)).StartCollecting());
            }
            var everyone = survivors.Concat(reconnected).ToList();
            await Task.WhenAll(everyone.Select(async (client, e) =>
            {
                for (var i = 0; i < afterwards; i++) await client.SendChatAsync($"after e{e}-{i}");
            }));
            total += everyone.Count * afterwards;

            await Task.WhenAll(survivors.Select(c => c.WaitForAsync(total, Delivery)));
            await Task.WhenAll(reconnected.Select((c, d) => c.WaitForAsync(total - dropped[d].Frames.Count, Delivery)));
            // Whatever arrives late is a duplicate: give it a moment to show before comparing.
            await Task.Delay(300);
            var views = survivors.Select(c => c.Frames)
                .Concat(dropped.Select((c, d) => (IReadOnlyList<ChatFrame>)[.. c.Frames, .. reconnected[d].Frames]))
                .ToList();
            AssertOneOrder(views, total);
            Assert.Equal(0, await LiveClientsAsync(nodes[1]) - everyone.Count);
        }
        finally
        {
            foreach (var client in clients.Concat(reconnected)) await client.DisposeAsync();
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [NginxFact]
    public async Task The_front_redirects_http_to_https_serves_the_page_over_tls_1_2_or_later_and_keeps_metrics_local()
    {
        var nodes = await StartNodesAsync();
        using var certificate = TestCertificate.Create();
        try
        {
            await using var nginx = await NginxProcess.StartAsync(_scratch, certificate, [nodes[0].EndPoint, nodes[1].EndPoint]);
            using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };
            using (var redirect = await plain.GetAsync(new Uri($"http://127.0.0.1:{nginx.HttpPort}/chat-history")))
            {
                Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
                Assert.StartsWith("https://127.0.0.1", redirect.Headers.Location?.ToString(), StringComparison.Ordinal);
            }

            using var tls12Only = new HttpClient(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, chain, errors) => certificate.Validate(this, presented, chain, errors),
                SslProtocols = System.Security.Authentication.SslProtocols.Tls12,
            }) { Timeout = TimeSpan.FromSeconds(10) };
            using (var page = await tls12Only.GetAsync(nginx.HttpsUri("/")))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
                Assert.True(page.Headers.Contains("Strict-Transport-Security"), "HSTS");
            }
            using (var local = await tls12Only.GetAsync(nginx.HttpsUri("/metrics")))
            {
                Assert.Equal(HttpStatusCode.OK, local.StatusCode);
            }

            // The same request from another source address than 127.0.0.1 is refused.
            using var elsewhere = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = certificate.Validate },
                ConnectCallback = async (context, token) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            }) { Timeout = TimeSpan.FromSeconds(10) };
            using (var remote = await elsewhere.GetAsync(nginx.HttpsUri("/metrics")))
            {
                Assert.Equal(HttpStatusCode.Forbidden, remote.StatusCode);
            }
            using (var page = await elsewhere.GetAsync(nginx.HttpsUri("/healthz")))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            }
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
