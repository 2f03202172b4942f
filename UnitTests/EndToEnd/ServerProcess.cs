using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Chat.UnitTests.EndToEnd;

/// <summary>
/// Our server as a separate process, started the way the operations contract says (CHAT_* environment, the
/// "listening on" line), for tests that kill it or run several nodes.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly List<string> _output;

    private ServerProcess(Process process, IPEndPoint endPoint, List<string> output)
    {
        _process = process;
        EndPoint = endPoint;
        _output = output;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>What the server wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return string.Join('\n', _output);
        }
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public Uri HttpUri => new($"http://{EndPoint}/");

    public Uri WebSocketUri(string query = "") => new($"ws://{EndPoint}/websocket{(query.Length > 0 ? "?" + query : "")}");

    /// <summary>Starts ChatServer.dll (copied beside the tests) with these CHAT_* settings and waits for its listening line.</summary>
    public static Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> settings) =>
        StartAsync(Path.Combine(AppContext.BaseDirectory, "ChatServer.dll"), settings);

    /// <summary>
    /// Starts any server that keeps the operations contract (our server, the Kestrel baseline) with these CHAT_*
    /// settings and waits for its listening line; a server that exits or stays silent first is reported with its output.
    /// </summary>
    public static Task<ServerProcess> StartAsync(string dll, IReadOnlyDictionary<string, string>? settings) =>
        StartAsync(StartInfo(dll, settings), Path.GetFileName(dll));

    /// <summary>
    /// Starts whatever <paramref name="start"/> describes (a DLL, the release's start script) and waits for its
    /// listening line; one that exits or stays silent first is reported as <paramref name="name"/> with its output.
    /// </summary>
    internal static async Task<ServerProcess> StartAsync(ProcessStartInfo start, string name)
    {
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines) lines.Add(e.Data);
            var match = ListeningLine().Match(e.Data);
            if (match.Success) listening.TrySetResult(IPEndPoint.Parse(match.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines) lines.Add(e.Data);
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            lock (lines) listening.TrySetException(new InvalidOperationException($"{name} exited with {process.ExitCode}: {string.Join('\n', lines)}"));
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ServerProcess(process, await listening.Task.WaitAsync(StartTimeout), lines);
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// How a server is started: <c>dotnet DLL</c> on a free loopback port, warnings only, on the embedded store unless
    /// the settings say otherwise (an inherited CHAT_POSTGRES must not choose the store).
    /// </summary>
    internal static ProcessStartInfo StartInfo(string dll, IReadOnlyDictionary<string, string>? settings)
    {
        var start = new ProcessStartInfo("dotnet", dll)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CHAT_LISTEN"] = "127.0.0.1:0";
        start.Environment["CHAT_LOG_LEVEL"] = "Warning";
        start.Environment.Remove("CHAT_POSTGRES");
        if (settings is not null) foreach (var (key, value) in settings) start.Environment[key] = value;
        return start;
    }

    /// <summary>SIGKILL: no drain, no goodbye.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Sends <paramref name="signal"/> (HUP, INT, TERM, …) with kill(1), which must succeed.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {_process.Id}")!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGTERM (or <paramref name="signal"/>, e.g. INT for Ctrl+C), then the exit code (the graceful stop).</summary>
    public async Task<int> TerminateAsync(TimeSpan within, string signal = "TERM")
    {
        await SignalAsync(signal);
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"^listening on https?://(\S+)$")]
    private static partial Regex ListeningLine();
}
