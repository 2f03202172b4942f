using System.Diagnostics;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.LoadTests.Baseline;

/// <summary>
/// The Kestrel baseline as a separate process, started the way the load runner starts it: CHAT_* environment,
/// KestrelBaseline.dll run by <c>dotnet</c>, the "listening on" line read from its output.
/// </summary>
internal static class BaselineProcess
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>KestrelBaseline.dll, copied beside the tests by the project reference.</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "KestrelBaseline.dll");

    /// <summary>Starts the baseline on a free loopback port with these extra CHAT_* settings and waits for its listening line.</summary>
    public static Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null) => ServerProcess.StartAsync(DllPath, settings);

    /// <summary>Runs the baseline expecting it to fail to start; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IReadOnlyDictionary<string, string> settings)
    {
        using var process = Process.Start(ServerProcess.StartInfo(DllPath, settings))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ExitTimeout);
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
}
