using Chat.LoadTests.Measurement;

namespace Chat.LoadTests.Reports;

/// <summary>Everything a run measured, ready for the report writers.</summary>
internal sealed record RunReport
{
    public required string Scenario { get; init; }
    public required string Target { get; init; }
    public required DateTimeOffset StartedUtc { get; init; }
    public required double Seconds { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; }
    public required IReadOnlyList<StepInterval> Steps { get; init; }
    public required IReadOnlyList<IntervalRow> Intervals { get; init; }
    public required IReadOnlyList<Figure> Figures { get; init; }
    public required IReadOnlyList<Check> Checks { get; init; }

    /// <summary>The step whose throughput and latency the charts show.</summary>
    public required string MainStep { get; init; }

    /// <summary>The server's resources once a second, when the scenario sampled them (soak).</summary>
    public IReadOnlyList<ResourceSample> Resources { get; init; } = [];

    public bool Passed => Checks.All(c => c.Passed);

    public string Title => $"{Scenario} on {Target}";

    public double? FigureValue(string name) => Figures.FirstOrDefault(f => f.Name == name)?.Value;
}
