using System.Diagnostics;
using System.Net;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Deploy;

/// <summary>
/// The unpacked release's <c>chat-server</c> script run the way a user would: an environment holding nothing but PATH
/// and the documented CHAT_* variables, in a working directory of its own.
/// </summary>
internal sealed class ReleaseProcess : IAsyncDisposable
{
    private readonly ServerProcess _server;

    private ReleaseProcess(ServerProcess server) => _server = server;

    public IPEndPoint EndPoint => _server.EndPoint;

    public Uri HttpUri(string path) => new($"http://{EndPoint}{path}");

    public Uri WebSocketUri(string query) => new($"ws://{EndPoint}/websocket?{query}");

    /// <summary>A start script with this bare environment; for the server, <see cref="StartAsync"/>.</summary>
    public static ProcessStartInfo StartInfo(string script, string workingDirectory, IReadOnlyDictionary<string, string> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo(script)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var (key, value) in settings) start.Environment[key] = value;
        return start;
    }

    /// <summary>Starts the script and waits for the listening line; a server that exits or stays silent first is reported with its output.</summary>
    public static async Task<ReleaseProcess> StartAsync(string script, string workingDirectory, IReadOnlyDictionary<string, string> settings) =>
        new(await ServerProcess.StartAsync(StartInfo(script, workingDirectory, settings), "the release"));

    /// <summary>SIGTERM (what systemd sends), then the exit code.</summary>
    public Task<int> TerminateAsync(TimeSpan within) => _server.TerminateAsync(within);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
