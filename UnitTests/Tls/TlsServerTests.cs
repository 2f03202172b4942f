using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Chat.Server;
using Chat.UnitTests.Conformance;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Tls;

/// <summary>
/// The TLS port from outside: protocol versions and ALPN, plain HTTP and a trickled handshake on it, and real clients
/// (curl, python3-websockets) trusting only the test's CA. Cases over raw bytes are in the conformance suite, which runs
/// over TLS too.
/// </summary>
public sealed class TlsServerTests : IAsyncLifetime
{
    private readonly TestCertificate _certificate = TestCertificate.Create();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        var settings = _certificate.Settings;
        settings["CHAT_HEAD_TIMEOUT_SECONDS"] = "1";
        _server = await TestServer.StartAsync(settings: settings);
        RawClient.SpeakTlsTo(_server.EndPoint, _certificate);
    }

    public async Task DisposeAsync()
    {
        RawClient.ForgetTls(_server.EndPoint);
        await _server.DisposeAsync();
        _certificate.Dispose();
    }

    [Fact]
    public async Task Handshake_offers_tls_1_3_and_alpn_http_1_1()
    {
        await using var client = await RawClient.ConnectAsync(_server.EndPoint);
        Assert.Equal(SslProtocols.Tls13, client.TlsStream!.SslProtocol);
        Assert.Equal(SslApplicationProtocol.Http11, client.TlsStream.NegotiatedApplicationProtocol);
        Assert.Equal(_certificate.Leaf.Thumbprint, client.TlsStream.RemoteCertificate!.GetCertHashString());
        var response = await client.RequestAsync(RawClient.Get("/healthz"));
        Assert.Equal(200, response.Status);
        Assert.Equal("ok", response.BodyText.Trim());
    }

    [Fact]
    public async Task Tls_1_2_client_is_served()
    {
        using var socket = await ConnectAsync();
        await using var tls = new SslStream(new NetworkStream(socket));
        var options = _certificate.ClientOptions();
        options.EnabledSslProtocols = SslProtocols.Tls12;
        await tls.AuthenticateAsClientAsync(options);
        Assert.Equal(SslProtocols.Tls12, tls.SslProtocol);
        Assert.Equal(SslApplicationProtocol.Http11, tls.NegotiatedApplicationProtocol);
        await tls.WriteAsync(Encoding.ASCII.GetBytes(RawClient.Get("/healthz", "Connection: close\r\n")));
        var answer = await ReadToEndAsync(tls);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_http_request_on_the_tls_port_gets_400_and_a_close()
    {
        using var socket = await ConnectAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes(RawClient.Get("/healthz")));
        var answer = Encoding.ASCII.GetString(await ReadUntilClosedAsync(socket));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", answer, StringComparison.Ordinal);
        Assert.EndsWith("this port speaks TLS: use https:// or wss://\n", answer, StringComparison.Ordinal);
        // The server is unharmed: the next client is served over TLS.
        await using var client = await RawClient.ConnectAsync(_server.EndPoint);
        Assert.Equal(200, (await client.RequestAsync(RawClient.Get("/healthz"))).Status);
    }

    [Fact]
    public async Task Handshake_trickled_a_byte_at_a_time_is_cut_at_the_head_deadline()
    {
        using var socket = await ConnectAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var closed = ReadUntilClosedAsync(socket);
        // A handshake record announcing 512 bytes of ClientHello, then one byte every 50 ms: it would take 25 s.
        byte[] trickle = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, .. new byte[506]];
        foreach (var b in trickle)
        {
            if (closed.IsCompleted) break;
            try
            {
                await socket.SendAsync(new[] { b });
            }
            catch (SocketException)
            {
                break;
            }
            await Task.WhenAny(closed, Task.Delay(50));
        }
        var sent = await closed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(sent);
        // Closed by the sweeper (1 s head deadline, swept once a second), not at once and not after the trickle.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Curl_with_the_ca_reads_healthz_and_without_it_refuses_the_certificate()
    {
        var url = $"https://{_server.EndPoint}/healthz";
        var trusted = await ExternalTool.RunAsync("curl", "-sS", "--max-time", "30", "--cacert", _certificate.AuthorityPath, url);
        Assert.True(trusted.ExitCode == 0, trusted.Error);
        Assert.Equal("ok", trusted.Output);
        var untrusted = await ExternalTool.RunAsync("curl", "-sS", "--max-time", "30", url);
        Assert.Equal(60, untrusted.ExitCode); // CURLE_PEER_FAILED_VERIFICATION
    }

    [Fact]
    public async Task Python_websockets_chats_over_wss()
    {
        var python = await ExternalTool.PythonWithWebSocketsAsync();
        const string script = """
            import asyncio, json, ssl, sys
            import websockets

            async def main(uri, ca):
                context = ssl.create_default_context(cafile=ca)
                async with websockets.connect(uri, ssl=context, open_timeout=30) as socket:
                    await socket.send(json.dumps({"messageType": "chatMessage", "comment": "over wss <b>"}))
                    while True:
                        frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
                        if frame["messageType"] == "chatMessage":
                            print(socket.transport.get_extra_info("ssl_object").version())
                            print(frame["username"], frame["comment"])
                            return

            asyncio.run(main(sys.argv[1], sys.argv[2]))
            """;
        var run = await ExternalTool.RunAsync(python, "-c", script, $"wss://{_server.EndPoint}/websocket?name=py", _certificate.AuthorityPath);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("TLSv1.3\npy over wss &lt;b&gt;", run.Output);
    }

    [Fact]
    public void Only_one_of_certificate_and_key_is_refused()
    {
        var certificateOnly = new Dictionary<string, string?> { ["CHAT_TLS_CERT"] = _certificate.CertificatePath };
        var error = Assert.Throws<ConfigurationException>(() => ServerConfiguration.Load(certificateOnly, []));
        Assert.Equal("CHAT_TLS_CERT and CHAT_TLS_KEY must be set together; only CHAT_TLS_CERT is set", error.Message);
        var keyOnly = new Dictionary<string, string?> { ["CHAT_TLS_KEY"] = _certificate.KeyPath };
        Assert.Contains("only CHAT_TLS_KEY is set", Assert.Throws<ConfigurationException>(() => ServerConfiguration.Load(keyOnly, [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_of_another_certificate_is_refused_at_start()
    {
        using var other = TestCertificate.Create("other");
        var settings = new Dictionary<string, string> { ["CHAT_TLS_CERT"] = _certificate.CertificatePath, ["CHAT_TLS_KEY"] = other.KeyPath };
        var error = await Assert.ThrowsAsync<HostStartException>(() => TestServer.StartAsync(settings: settings));
        Assert.Contains("the key does not match the certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_certificate_file_is_refused_at_start()
    {
        var settings = new Dictionary<string, string> { ["CHAT_TLS_CERT"] = Path.Combine(_certificate.Directory, "missing.pem"), ["CHAT_TLS_KEY"] = _certificate.KeyPath };
        var error = await Assert.ThrowsAsync<HostStartException>(() => TestServer.StartAsync(settings: settings));
        Assert.StartsWith("cannot read the TLS certificate or key: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing.pem", error.Message, StringComparison.Ordinal);
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = new CancellationTokenSource(RawClient.Timeout);
        await socket.ConnectAsync(_server.EndPoint, deadline.Token);
        return socket;
    }

    /// <summary>Everything the server sends until its FIN or a reset, within a deadline.</summary>
    private static async Task<byte[]> ReadUntilClosedAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0) received.Write(buffer, 0, read);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
        }
        return received.ToArray();
    }

    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        await stream.CopyToAsync(received, deadline.Token);
        return Encoding.ASCII.GetString(received.ToArray());
    }
}
