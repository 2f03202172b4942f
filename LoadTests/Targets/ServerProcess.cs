using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Chat.LoadTests.Targets;

/// <summary>
/// A server (a dll under dotnet, or a script under its runtime) started as its own process under the operations contract (CHAT_* environment, the
/// <c>listening on http://ADDR:PORT</c> line). The same class starts our server, the Kestrel baselines and the Bun chat.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private readonly Process _process;

    private ServerProcess(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public int Id => _process.Id;

    /// <summary>Starts a .NET server: <c>dotnet DLL</c> in the dll's directory.</summary>
    public static Task<ServerProcess> StartAsync(string dll, IReadOnlyDictionary<string, string> settings, CancellationToken cancellation) =>
        StartAsync("dotnet", dll, settings, cancellation);

    /// <summary>Starts <paramref name="program"/> with <paramref name="script"/> (a dll or a script) as its one argument, in the script's directory.</summary>
    public static async Task<ServerProcess> StartAsync(string program, string script, IReadOnlyDictionary<string, string> settings, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        start.ArgumentList.Add(script);
        start.Environment["CHAT_LISTEN"] = "127.0.0.1:0";
        start.Environment["CHAT_LOG_LEVEL"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key] = value;

        var tail = new Queue<string>();
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Keep(string line)
        {
            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > 20) tail.Dequeue();
            }
        }

        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Keep(e.Data);
            var match = ListeningLine().Match(e.Data);
            if (match.Success && IPEndPoint.TryParse(match.Groups[1].Value, out var endPoint)) listening.TrySetResult(endPoint);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) Keep(e.Data);
        };
        process.Exited += (_, _) => listening.TrySetException(new TargetUnavailableException(
            $"{Path.GetFileName(script)} exited with {process.ExitCode} before listening: {string.Join('\n', tail)}"));
        if (!process.Start()) throw new TargetUnavailableException($"cannot start {program} {script}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var endPoint = await listening.Task.WaitAsync(StartTimeout, cancellation);
            return new ServerProcess(process, endPoint);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TargetUnavailableException($"{Path.GetFileName(script)} printed no 'listening on' line within {StartTimeout.TotalSeconds} s");
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>SIGTERM (the graceful stop), then SIGKILL after a deadline.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var deadline = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"listening on https?://(\S+)")]
    private static partial Regex ListeningLine();
}
