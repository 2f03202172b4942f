using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Tls;
using Xunit.Sdk;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// One server per reactor backend (epoll where the OS has it, and the portable sockets backend), each in plain TCP and
/// in TLS (a certificate made for the fixture), on the embedded store, shared by every case of a collection. Each case
/// runs against all of them at once and names the server that failed; the raw client speaks TLS to the TLS ones.
/// </summary>
public class ConformanceServers : IAsyncLifetime
{
    private readonly List<(string Backend, TestServer Server)> _servers = [];
    private readonly TestCertificate _certificate = TestCertificate.Create();

    /// <summary>Extra CHAT_* settings of this fixture's servers.</summary>
    private protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        // Cases send bursts of messages; the rate limit has its own tests.
        ["CHAT_MAX_MESSAGES_PER_SECOND"] = "0",
    };

    private static string[] Backends => OperatingSystem.IsLinux() ? ["epoll", "sockets"] : ["sockets"];

    public async Task InitializeAsync()
    {
        foreach (var backend in Backends)
        {
            var settings = new Dictionary<string, string>(Settings) { ["CHAT_REACTOR"] = backend };
            _servers.Add((backend, await TestServer.StartAsync(settings: settings)));
            foreach (var (name, value) in _certificate.Settings) settings[name] = value;
            var tls = await TestServer.StartAsync(settings: settings);
            RawClient.SpeakTlsTo(tls.EndPoint, _certificate);
            _servers.Add((backend + "+tls", tls));
        }
    }

    /// <summary>Runs the case against every backend concurrently (separate servers: no cross-talk).</summary>
    internal Task RunAsync(Func<TestServer, Task> test) => Task.WhenAll(_servers.Select(async s =>
    {
        try
        {
            await test(s.Server);
        }
        catch (Exception e)
        {
            throw new XunitException($"[{s.Backend} server] {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
    }));

    /// <summary>Opens a WebSocket on every backend and runs the case with it.</summary>
    internal Task RunWebSocketAsync(Func<RawClient, Task> test, string query = "", string extraHeaders = "") => RunAsync(async server =>
    {
        await using var client = await RawClient.OpenWebSocketAsync(server.EndPoint, query, extraHeaders);
        await test(client);
    });

    /// <summary>Connects a raw socket on every backend and runs the case with it.</summary>
    internal Task RunRawAsync(Func<RawClient, Task> test) => RunAsync(async server =>
    {
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await test(client);
    });

    public async Task DisposeAsync()
    {
        foreach (var (_, server) in _servers)
        {
            RawClient.ForgetTls(server.EndPoint);
            await server.DisposeAsync();
            TryDelete(server.DataDirectory);
        }
        _certificate.Dispose();
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
