using System.Net;
using Chat.Server;
using Microsoft.Extensions.Logging;

namespace Chat.UnitTests.EndToEnd;

/// <summary>Our server started in-process on a free loopback port, configured the way the host reads its environment.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly ChatHost _host;
    private readonly ILoggerFactory _loggers;

    private TestServer(ChatHost host, ILoggerFactory loggers, string dataDirectory)
    {
        _host = host;
        _loggers = loggers;
        DataDirectory = dataDirectory;
    }

    public IPEndPoint EndPoint => _host.LocalEndPoint;

    public Uri HttpUri => new($"http://{EndPoint}/");

    public string DataDirectory { get; }

    public ChatHost Host => _host;

    /// <summary>
    /// Starts a server on the given store (Postgres connection string, or the embedded store in
    /// <paramref name="dataDirectory"/>, a fresh temp dir by default). <paramref name="settings"/> are extra CHAT_*
    /// variables.
    /// </summary>
    public static async Task<TestServer> StartAsync(string? postgres = null, string? dataDirectory = null,
        IReadOnlyDictionary<string, string>? settings = null, int port = 0)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("chat-test-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["CHAT_LISTEN"] = $"127.0.0.1:{port}",
            ["CHAT_DATA_DIR"] = dataDirectory,
            ["CHAT_POSTGRES"] = postgres,
            ["CHAT_REACTOR"] = Environment.GetEnvironmentVariable("CHAT_TEST_REACTOR") ?? "auto",
        };
        if (settings is not null) foreach (var (key, value) in settings) environment[key] = value;
        var configuration = ServerConfiguration.Load(environment, []);
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        var host = await ChatHost.StartAsync(configuration, loggers, CancellationToken.None);
        return new TestServer(host, loggers, dataDirectory);
    }

    public Uri WebSocketUri(string query = "") => new($"ws://{EndPoint}/websocket{(query.Length > 0 ? "?" + query : "")}");

    public async Task<bool> StopAsync() => await _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _loggers.Dispose();
    }
}
