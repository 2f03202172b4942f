using System.Diagnostics;
using System.Runtime.Versioning;

namespace Chat.UnitTests.Deploy;

/// <summary>
/// deploy/chat-server.service (issue 15): systemd's own parser accepts it, and it says what the deployment relies on:
/// restart on failure, a raised descriptor limit, CHAT_* settings from an EnvironmentFile, and hardening.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SystemdUnitTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("chat-unit-").FullName;

    private static Dictionary<string, List<string>> Fields(string section)
    {
        var fields = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var current = "";
        foreach (var raw in File.ReadAllLines(RepositoryPaths.Deploy("chat-server.service")))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[')
            {
                current = line.Trim('[', ']');
                continue;
            }
            if (current != section) continue;
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"'{line}' is a Key=value line");
            var key = line[..equals];
            if (!fields.TryGetValue(key, out var values)) fields[key] = values = [];
            values.Add(line[(equals + 1)..]);
        }
        return fields;
    }

    [Fact]
    public void The_unit_restarts_on_failure_raises_the_file_limit_reads_chat_settings_from_a_file_and_is_hardened()
    {
        var service = Fields("Service");
        string Single(string key) => Assert.Single(service[key]);

        Assert.Equal("on-failure", Single("Restart"));
        Assert.True(int.Parse(Single("LimitNOFILE"), System.Globalization.CultureInfo.InvariantCulture) >= 65536, "LimitNOFILE is raised");
        Assert.Contains(service["EnvironmentFile"], f => f.TrimStart('-').StartsWith("/etc/chat-server/", StringComparison.Ordinal));
        Assert.Equal("/opt/chat-server/current/chat-server", Single("ExecStart"));
        Assert.Equal("SIGTERM", Single("KillSignal"));
        foreach (var (key, value) in new[]
                 {
                     ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                     ("PrivateDevices", "yes"), ("DynamicUser", "yes"), ("CapabilityBoundingSet", ""), ("RestrictNamespaces", "yes"),
                     ("SystemCallFilter", "@system-service"),
                 })
        {
            Assert.True(service.TryGetValue(key, out var values) && values.Contains(value), $"{key}={value}");
        }
        Assert.Equal("chat-server", Single("StateDirectory"));
        Assert.Contains("CHAT_DATA_DIR=/var/lib/chat-server", service["Environment"]);
        Assert.Equal(["multi-user.target"], Fields("Install")["WantedBy"]);
    }

    [SystemdAnalyzeFact]
    public async Task Systemd_analyze_verify_accepts_the_unit_without_a_warning()
    {
        // verify checks that ExecStart is executable: point it at a stand-in, and change nothing else.
        var standIn = Path.Combine(_scratch, "chat-server");
        File.WriteAllText(standIn, "#!/bin/sh\n");
        File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var lines = File.ReadAllLines(RepositoryPaths.Deploy("chat-server.service"));
        Assert.Single(lines, l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        var unit = Path.Combine(_scratch, "chat-server.service");
        File.WriteAllLines(unit, lines.Select(l => l.StartsWith("ExecStart=", StringComparison.Ordinal) ? $"ExecStart={standIn}" : l));

        var start = new ProcessStartInfo(SystemdAnalyzeFactAttribute.ExecutablePath, ["verify", unit]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var analyze = Process.Start(start)!;
        var output = analyze.StandardOutput.ReadToEndAsync();
        var errors = analyze.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await analyze.WaitForExitAsync(timeout.Token);

        Assert.True(analyze.ExitCode == 0 && (await output + await errors).Trim().Length == 0,
            $"systemd-analyze verify exited with {analyze.ExitCode}:\n{await output}{await errors}");
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
