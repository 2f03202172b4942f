namespace Chat.LoadTests.Reports;

/// <summary>One headline number of a run (delivered msgs/s, server CPU µs per message, …).</summary>
internal sealed record Figure(string Name, double Value, string Unit);
