namespace Chat.LoadTests.Reports;

/// <summary>One run of the bench set: its report, or why it was skipped (no Kestrel dll, no PostgreSQL).</summary>
internal sealed record BenchEntry(string Name, string Target, RunReport? Report, string? Skipped);
