using System.Diagnostics;

namespace Chat.LoadTests.Targets;

/// <summary>
/// Bun for <c>--target bun</c>: the npm package ships the binary, so the first run installs it with npm into a cache
/// directory (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>, then <c>chat-loadtests/bun</c>) and later runs reuse it.
/// </summary>
internal static class BunRuntime
{
    /// <summary>Pinned, so that every bench measures the same uWebSockets.</summary>
    public const string Package = "bun@1.4.5";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static string CacheDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "chat-loadtests", "bun");

    private static string BinaryIn(string directory) => Path.Combine(directory, "node_modules", "bun", "bin", "bun.exe");

    /// <summary>The bun binary, installed first when missing; throws <see cref="TargetUnavailableException"/> when it cannot be had.</summary>
    public static async Task<string> LocateAsync(CancellationToken cancellation)
    {
        await InstallGate.WaitAsync(cancellation);
        try
        {
            var binary = BinaryIn(CacheDirectory);
            if (File.Exists(binary)) return binary;

            // Installed beside the cache directory and moved into place whole, so that a run that is cut short, or
            // another runner installing at the same time, never leaves a half-installed package to be found later.
            var staging = $"{CacheDirectory}.{Environment.ProcessId}";
            Directory.CreateDirectory(staging);
            try
            {
                var output = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", staging, Package], cancellation);
                if (!File.Exists(BinaryIn(staging))) throw new TargetUnavailableException($"npm install {Package} left no bun binary: {output}");
                await RunAsync(BinaryIn(staging), ["--version"], cancellation);
                try
                {
                    Directory.Move(staging, CacheDirectory);
                }
                catch (IOException) when (File.Exists(binary))
                {
                    // Another runner finished first: use its copy.
                }
            }
            finally
            {
                if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            }

            return binary;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<string> RunAsync(string program, string[] arguments, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new TargetUnavailableException($"cannot start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TargetUnavailableException($"bun is not installed and {program} cannot run to install it: {e.Message}", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            var stderr = process.StandardError.ReadToEndAsync(cancellation);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            deadline.CancelAfter(InstallTimeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TargetUnavailableException($"{program} {string.Join(' ', arguments)} took longer than {InstallTimeout.TotalMinutes} minutes");
            }

            var output = (await stdout + await stderr).Trim();
            if (process.ExitCode != 0) throw new TargetUnavailableException($"{program} {string.Join(' ', arguments)} failed with {process.ExitCode}: {output}");
            return output;
        }
    }
}
