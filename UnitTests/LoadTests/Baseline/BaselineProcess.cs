using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Chat.UnitTests.LoadTests.Baseline;

/// <summary>
/// The Kestrel baseline as a separate process, started the way the load runner starts it: CHAT_* environment,
/// KestrelBaseline.dll run by <c>dotnet</c>, the "listening on" line read from its output.
/// </summary>
internal sealed partial class BaselineProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private BaselineProcess(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public Uri HttpUri => new($"http://{EndPoint}/");

    /// <summary>KestrelBaseline.dll, copied beside the tests by the project reference.</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "KestrelBaseline.dll");

    public Uri WebSocketUri(string query = "") => new($"ws://{EndPoint}/websocket{(query.Length > 0 ? "?" + query : "")}");

    /// <summary>Starts the baseline on a free loopback port with these extra CHAT_* settings and waits for its listening line.</summary>
    public static async Task<BaselineProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var process = Process.Start(StartInfo(settings))!;
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
            lock (lines) listening.TrySetException(new InvalidOperationException($"the baseline exited with {process.ExitCode}: {string.Join('\n', lines)}"));
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new BaselineProcess(process, await listening.Task.WaitAsync(StartTimeout));
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs the baseline expecting it to fail to start; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IReadOnlyDictionary<string, string> settings)
    {
        using var process = Process.Start(StartInfo(settings))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
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

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string>? settings)
    {
        var start = new ProcessStartInfo("dotnet", DllPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CHAT_LISTEN"] = "127.0.0.1:0";
        start.Environment.Remove("CHAT_POSTGRES");
        start.Environment.Remove("CHAT_LOG_LEVEL");
        if (settings is not null) foreach (var (key, value) in settings) start.Environment[key] = value;
        return start;
    }

    [GeneratedRegex(@"^listening on http://(\S+)$")]
    private static partial Regex ListeningLine();
}
