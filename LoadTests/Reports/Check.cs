namespace Chat.LoadTests.Reports;

/// <summary>An assertion a scenario makes about what it saw (no loss, no duplicate, …); a failed check fails the run.</summary>
internal sealed record Check(string Name, bool Passed, string Detail);
