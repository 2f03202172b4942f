namespace Chat.Benchmarks;

/// <summary>A benchmark whose every operation processes a known number of input bytes (read by <see cref="ThroughputColumn"/>).</summary>
public interface IThroughputBenchmark
{
    /// <summary>Input bytes one benchmark operation processes; valid after the [GlobalSetup] ran.</summary>
    long BytesPerOperation { get; }
}
