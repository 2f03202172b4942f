using Chat.UnitTests.EndToEnd;
using Xunit.Sdk;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// One server per reactor backend (epoll where the OS has it, and the portable sockets backend), on the embedded store,
/// shared by every case of a collection. Each case runs against all of them at once and names the backend that failed.
/// </summary>
public class ConformanceServers : IAsyncLifetime
{
    private readonly List<(string Backend, TestServer Server)> _servers = [];

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
            throw new XunitException($"[{s.Backend} backend] {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
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
            await server.DisposeAsync();
            TryDelete(server.DataDirectory);
        }
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
