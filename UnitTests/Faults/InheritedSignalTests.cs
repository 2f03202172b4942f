using System.Diagnostics;
using System.Globalization;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;
using Chat.UnitTests.Tls;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Started the way <c>nohup chat-server &amp;</c> or a script's <c>chat-server &amp;</c> start it, with SIGHUP and SIGINT
/// ignored (the disposition survives exec), the server still reloads its TLS pair on SIGHUP and drains on SIGINT.
/// .NET alone would keep both ignored and never run the server's handlers.
/// </summary>
public sealed class InheritedSignalTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_server_started_with_sighup_and_sigint_ignored_still_reloads_on_the_one_and_drains_on_the_other()
    {
        using var certificate = TestCertificate.Create();
        var directory = Directory.CreateTempSubdirectory("chat-ignored-signals-").FullName;
        try
        {
            var key = Path.Combine(directory, "key.pem");
            File.Copy(certificate.KeyPath, key);
            var settings = new Dictionary<string, string>
            {
                ["CHAT_TLS_CERT"] = certificate.CertificatePath,
                ["CHAT_TLS_KEY"] = key,
                ["CHAT_DATA_DIR"] = Path.Combine(directory, "data"),
            };
            await using var server = await ServerProcess.StartAsync(WithHupAndIntIgnored(settings), "ChatServer.dll");
            Assert.Equal(0UL, IgnoredSignals(server.Id) & (Bit(1) | Bit(2)));

            File.WriteAllText(key, "not a key\n");
            await server.SignalAsync("HUP");
            await Until.TrueAsync(() => server.Output.Contains("SIGHUP: the TLS pair was not reloaded", StringComparison.Ordinal), Within,
                $"the reload's answer to a bad key; output:\n{server.Output}");

            // 0: the drain was clean. Still ignored, SIGINT would not have stopped the server at all.
            Assert.Equal(0, await server.TerminateAsync(Within, "INT"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>bash sets both to ignored, then execs the server in its place: what nohup and a background job do.</summary>
    private static ProcessStartInfo WithHupAndIntIgnored(IReadOnlyDictionary<string, string> settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ChatServer.dll");
        var start = ServerProcess.StartInfo(dll, settings);
        start.FileName = "bash";
        start.Arguments = string.Empty;
        foreach (var argument in (string[])["-c", "trap '' HUP INT; exec dotnet \"$0\"", dll]) start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>The SigIgn mask of /proc/PID/status: bit N-1 set when signal N is ignored.</summary>
    private static ulong IgnoredSignals(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static ulong Bit(int signal) => 1UL << (signal - 1);
}
