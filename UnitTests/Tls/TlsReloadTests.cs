using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using Chat.UnitTests.Conformance;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Tls;

/// <summary>
/// SIGHUP on a server process started with CHAT_TLS_CERT/CHAT_TLS_KEY: new handshakes get the new pair, open
/// connections go on, and a bad file keeps the old pair with a logged reason.
/// </summary>
public sealed class TlsReloadTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly TestCertificate _first = TestCertificate.Create("first");
    private readonly TestCertificate _second = TestCertificate.Create("second");
    private readonly string _directory = Directory.CreateTempSubdirectory("chat-tls-reload-").FullName;
    private ServerProcess _server = null!;

    private string CertificatePath => Path.Combine(_directory, "cert.pem");

    private string KeyPath => Path.Combine(_directory, "key.pem");

    public async Task InitializeAsync()
    {
        Install(_first);
        _server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["CHAT_TLS_CERT"] = CertificatePath,
            ["CHAT_TLS_KEY"] = KeyPath,
            ["CHAT_DATA_DIR"] = Path.Combine(_directory, "data"),
        });
        RawClient.SpeakTlsTo(_server.EndPoint, _first);
    }

    public async Task DisposeAsync()
    {
        RawClient.ForgetTls(_server.EndPoint);
        await _server.DisposeAsync();
        _first.Dispose();
        _second.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Sighup_reloads_the_pair_while_an_open_connection_keeps_chatting()
    {
        Assert.Contains($"listening on https://{_server.EndPoint}", _server.Output, StringComparison.Ordinal);
        await using var open = await RawClient.OpenWebSocketAsync(_server.EndPoint, "name=stays");
        await open.SendChatAsync("before reload");
        await open.ExpectChatAsync("before reload");

        Install(_second);
        await _server.SignalAsync("HUP");
        await WaitForPresentedAsync(_second);

        await open.SendChatAsync("after reload");
        await open.ExpectChatAsync("after reload");
        RawClient.SpeakTlsTo(_server.EndPoint, _second);
        await using var fresh = await RawClient.OpenWebSocketAsync(_server.EndPoint);
        await fresh.SendChatAsync("new pair");
        await fresh.ExpectChatAsync("new pair");
        await open.ExpectChatAsync("new pair");
        Assert.False(_server.HasExited);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("key of another certificate")]
    public async Task Bad_file_on_reload_keeps_the_old_pair_and_says_why(string bad)
    {
        await using var open = await RawClient.OpenWebSocketAsync(_server.EndPoint);
        if (bad == "garbage") File.WriteAllText(KeyPath, "not a key\n");
        else File.Copy(_second.KeyPath, KeyPath, overwrite: true);

        await _server.SignalAsync("HUP");
        await WaitForOutputAsync("SIGHUP: the TLS pair was not reloaded, new handshakes keep the old certificate: bad TLS certificate");

        Assert.Equal(_first.Leaf.Thumbprint, await PresentedThumbprintAsync());
        await using var fresh = await RawClient.OpenWebSocketAsync(_server.EndPoint);
        await fresh.SendChatAsync("old pair still served");
        await fresh.ExpectChatAsync("old pair still served");
        await open.ExpectChatAsync("old pair still served");
        Assert.False(_server.HasExited);
    }

    private void Install(TestCertificate certificate)
    {
        File.Copy(certificate.CertificatePath, CertificatePath, overwrite: true);
        File.Copy(certificate.KeyPath, KeyPath, overwrite: true);
    }

    /// <summary>Handshakes until the server presents <paramref name="expected"/>: the reload is asynchronous to the signal.</summary>
    private async Task WaitForPresentedAsync(TestCertificate expected)
    {
        var clock = Stopwatch.StartNew();
        string presented;
        while ((presented = await PresentedThumbprintAsync()) != expected.Leaf.Thumbprint)
        {
            Assert.True(clock.Elapsed < Deadline, $"the server still presents {presented} after SIGHUP; output:\n{_server.Output}");
            await Task.Delay(50);
        }
    }

    private async Task WaitForOutputAsync(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!_server.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < Deadline, $"the server did not log '{text}'; output:\n{_server.Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>The thumbprint of the certificate a new handshake gets, whoever signed it.</summary>
    private async Task<string> PresentedThumbprintAsync()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = new CancellationTokenSource(Deadline);
        await socket.ConnectAsync(_server.EndPoint, deadline.Token);
        await using var tls = new SslStream(new NetworkStream(socket), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" }, deadline.Token);
        return tls.RemoteCertificate!.GetCertHashString();
    }
}
