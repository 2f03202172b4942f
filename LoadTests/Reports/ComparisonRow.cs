namespace Chat.LoadTests.Reports;

/// <summary>One figure of ours next to the baseline's from the same bench run; the ratio is ours / baseline.</summary>
internal sealed record ComparisonRow(string Scenario, string Metric, double? Ours, double? Baseline, string Unit)
{
    public double? Ratio => Ours is { } o && Baseline is { } b && b != 0 ? o / b : null;
}
