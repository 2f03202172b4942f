using System.Net;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Tls;

/// <summary>
/// The server closes a TLS connection while its read loop is still decrypting what the peer sends. The close_notify
/// alert (OpenSSL's SSL_shutdown) then raced SSL_read on the same session, which .NET does not serialise: it threw
/// from the close, so the socket was never closed (a stage's close), or the process ended (the reactor's close at
/// the peer's FIN). Found by running the TLS conformance cases in a loop with a core held busy.
/// </summary>
public sealed class TlsCloseRaceTests
{
    private const int Rounds = 25;
    private const int Concurrent = 8;
    private const int Chunks = 16;

    [Theory]
    [InlineData("epoll")]
    [InlineData("sockets")]
    public async Task A_close_while_the_peer_is_still_sending_always_closes_and_the_server_stays_up(string backend)
    {
        using var certificate = TestCertificate.Create();
        var settings = new Dictionary<string, string>(certificate.Settings)
        {
            ["CHAT_REACTOR"] = backend,
            ["CHAT_DATA_DIR"] = Directory.CreateTempSubdirectory("chat-tls-race-").FullName,
        };
        await using var server = await ServerProcess.StartAsync(settings);
        RawClient.SpeakTlsTo(server.EndPoint, certificate);
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => OversizedFrameThenFinAsync(server.EndPoint)));
                Assert.False(server.HasExited, server.Output);
            }

            await using var client = await RawClient.OpenWebSocketAsync(server.EndPoint);
            await client.SendChatAsync("still serving");
            await client.ExpectChatAsync("still serving");
        }
        finally
        {
            RawClient.ForgetTls(server.EndPoint);
        }
    }

    /// <summary>
    /// A frame declared far over the limit (1009 from its header alone) followed by a stream of records the server is
    /// still decrypting when it closes, then the peer's FIN: both the stage's close and the reactor's meet a busy read.
    /// </summary>
    private static async Task OversizedFrameThenFinAsync(IPEndPoint server)
    {
        await using var client = await RawClient.OpenWebSocketAsync(server);
        var chunk = new byte[16 * 1024];
        try
        {
            await client.SendAsync(RawClient.FrameHeader(1, 1UL << 20));
            for (var i = 0; i < Chunks; i++) await client.SendAsync(chunk);
            client.ShutdownSend();
        }
        catch (IOException)
        {
            // The server closed first, while we were still sending: the moment this case is after.
        }
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(15)), "the server closes the connection it refused");
    }
}
