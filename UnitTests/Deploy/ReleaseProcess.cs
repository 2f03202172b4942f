using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Chat.UnitTests.Deploy;

/// <summary>
/// The unpacked release's <c>chat-server</c> script run the way a user would: an environment holding nothing but PATH
/// and the documented CHAT_* variables, in a working directory of its own.
/// </summary>
internal sealed partial class ReleaseProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private ReleaseProcess(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

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
    public static async Task<ReleaseProcess> StartAsync(string script, string workingDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var process = Process.Start(StartInfo(script, workingDirectory, settings))!;
        var lines = new List<string>();
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
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
            lock (lines) listening.TrySetException(new InvalidOperationException($"the release exited with {process.ExitCode}: {string.Join('\n', lines)}"));
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ReleaseProcess(process, await listening.Task.WaitAsync(StartTimeout));
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM (what systemd sends), then the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", $"-TERM {_process.Id}")!) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^listening on http://(\S+)$")]
    private static partial Regex ListeningLine();
}
