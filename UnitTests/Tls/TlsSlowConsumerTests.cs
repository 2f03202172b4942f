using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Chat.UnitTests.Conformance;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Tls;

/// <summary>
/// A TLS reader that stops reading: its queue passes the high-water mark, it is dropped and counted, and the others go
/// on. Dropping its unsent records would leave a gap in the record sequence, so it gets no 1008 frame, only the end of
/// the stream.
/// </summary>
public sealed class TlsSlowConsumerTests
{
    [Fact]
    public async Task Tls_reader_that_stops_reading_is_dropped_at_the_high_water_mark_and_the_sender_goes_on()
    {
        using var certificate = TestCertificate.Create();
        var settings = certificate.Settings;
        settings["CHAT_HIGH_WATER_MARK_BYTES"] = (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["CHAT_MAX_MESSAGES_PER_SECOND"] = "0";
        settings["CHAT_MAX_COMMENT_CHARS"] = "40000";
        await using var server = await TestServer.StartAsync(settings: settings);
        RawClient.SpeakTlsTo(server.EndPoint, certificate);
        try
        {
            await using var alice = await RawClient.OpenWebSocketAsync(server.EndPoint, "name=alice");
            using var stalledSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await stalledSocket.ConnectAsync(server.EndPoint);
            await using (var stalled = new SslStream(new NetworkStream(stalledSocket, ownsSocket: false), leaveInnerStreamOpen: true))
            {
                await stalled.AuthenticateAsClientAsync(certificate.ClientOptions());
                await stalled.WriteAsync(Encoding.ASCII.GetBytes(RawClient.UpgradeRequest("name=stalled")));
                // From here on it reads nothing: the 101 and everything after stay in the kernel and the server's queue.
            }

            var comment = new string('x', 30_000);
            var dropped = 0.0;
            var clock = Stopwatch.StartNew();
            for (var i = 0; dropped < 1; i++)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60) && i < 200, $"not dropped after {i} messages");
                await alice.SendChatAsync($"{i} {comment}");
                await alice.ExpectChatAsync($"{i} {comment}");
                if (i % 5 == 4) dropped = await SlowConsumersDroppedAsync(server);
            }
            Assert.Equal(1, dropped);

            // The sender's own connection is untouched.
            await alice.SendChatAsync("still here");
            await alice.ExpectChatAsync("still here");
            await AssertStreamEndsAsync(stalledSocket);
        }
        finally
        {
            RawClient.ForgetTls(server.EndPoint);
        }
    }

    private static async Task<double> SlowConsumersDroppedAsync(TestServer server)
    {
        await using var probe = await RawClient.ConnectAsync(server.EndPoint);
        var metrics = (await probe.RequestAsync(RawClient.Get("/metrics"))).BodyText;
        var line = metrics.Split('\n').Single(l => l.StartsWith("chat_slow_consumers_dropped_total ", StringComparison.Ordinal));
        return double.Parse(line.AsSpan(line.IndexOf(' ') + 1), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Reads the raw ciphertext until the server's FIN or reset: the dropped peer's stream ends.</summary>
    private static async Task AssertStreamEndsAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
            {
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
        }
    }
}
