namespace Chat.LoadTests.Reports;

/// <summary>The bench set: every run, and ours against the baseline where both ran.</summary>
internal sealed record BenchReport(DateTimeOffset StartedUtc, double Seconds, IReadOnlyList<BenchEntry> Entries, IReadOnlyList<ComparisonRow> Comparisons);
