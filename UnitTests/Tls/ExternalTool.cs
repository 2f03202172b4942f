using System.Diagnostics;

namespace Chat.UnitTests.Tls;

/// <summary>Runs a command-line client (curl, python3) to completion within a deadline and returns what it printed.</summary>
internal static class ExternalTool
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {Timeout.TotalSeconds} s");
        }
        return (process.ExitCode, (await output).Trim(), (await error).Trim());
    }

    /// <summary>The first python3 that can import websockets (pyenv's may not have Debian's python3-websockets).</summary>
    public static async Task<string> PythonWithWebSocketsAsync()
    {
        foreach (var python in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                if ((await RunAsync(python, "-c", "import websockets")).ExitCode == 0) return python;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name: try the next.
            }
        }
        throw new InvalidOperationException("no python3 can import websockets: apt-get install python3-websockets (./build.sh --target=Test does)");
    }
}
