using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;
using Chat.LoadTests.Targets;

namespace Chat.UnitTests.Deploy;

/// <summary>
/// The runtime settings chosen by measurement (issue 17, docs/benchmarks.md "Runtime settings") reach every way the
/// server is started: the build output that <c>./build.sh --target=Run</c> and the load runner start, and the release
/// tarball. The host reads them from <c>ChatServer.runtimeconfig.json</c> beside the dll, so that file is the contract.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RuntimeSettingsTests : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(30);
    private readonly string _scratch = Directory.CreateTempSubdirectory("chat-runtimeconfig-").FullName;

    /// <summary>
    /// Every runtime setting the runtimeconfig must carry, as measured in alternation against its alternative at 4 000,
    /// 150 000 and 400 000 deliveries/s (null: left at the runtime's default, not written).
    /// </summary>
    public static TheoryData<string, string?> Settings => new()
    {
        // Workstation GC: server GC (two heaps on two cores) took 1.09× the CPU per delivery at 4 000/s.
        { "System.GC.Server", "false" },
        // Concurrent GC: without it, 1.21× at 4 000/s; the hot path allocates next to nothing, so it rarely runs.
        { "System.GC.Concurrent", "true" },
        // Tiered PGO: without it, 1.11× at 4 000/s.
        { "System.Runtime.TieredPGO", "true" },
        // Workers that do not spin took 0.61× the CPU at 4 000/s but 1.25× at 150 000/s and 1.21× at 400 000/s:
        // at high rates a spinning worker picks up the next batch without a futex wake. The default (70) stays.
        { "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", null },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_build_output_runtimeconfig_carries_the_measured_setting(string name, string? value)
    {
        var dll = ServerBinaries.Ours() ?? throw new FileNotFoundException("ChatServer.dll is neither beside the tests nor in the repository's build output");

        Assert.Equal(value, ConfigProperty(Path.ChangeExtension(dll, ".runtimeconfig.json"), name));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_release_tarball_runtimeconfig_carries_the_measured_setting(string name, string? value)
    {
        using var tar = Process.Start(new ProcessStartInfo("tar", ["-xzf", RepositoryPaths.Tarball, "-C", _scratch, $"{RepositoryPaths.ReleaseName}/lib/ChatServer.runtimeconfig.json"])
        {
            UseShellExecute = false,
        })!;
        Assert.True(tar.WaitForExit(ProcessTimeout), "tar finished");
        Assert.Equal(0, tar.ExitCode);

        Assert.Equal(value, ConfigProperty(Path.Combine(_scratch, RepositoryPaths.ReleaseName, "lib", "ChatServer.runtimeconfig.json"), name));
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>The property as the host reads it: JSON booleans and numbers alike, in their JSON text.</summary>
    private static string? ConfigProperty(string runtimeconfig, string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(runtimeconfig));
        return document.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties)
            && properties.TryGetProperty(name, out var property)
                ? property.ValueKind is JsonValueKind.String ? property.GetString() : property.GetRawText()
                : null;
    }
}
