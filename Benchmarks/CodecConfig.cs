using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace Chat.Benchmarks;

/// <summary>What every codec benchmark reports besides time: allocations and throughput. Jobs come from the command line.</summary>
public sealed class CodecConfig : ManualConfig
{
    public CodecConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new ThroughputColumn());

        // BenchmarkDotNet builds its boilerplate project with our whole solution behind it; on the shared 2-core box
        // that takes longer than its default of 2 minutes.
        WithBuildTimeout(TimeSpan.FromMinutes(15));
    }
}
