using Chat.LoadTests.Measurement;

namespace Chat.LoadTests.Reports;

/// <summary>One step in one interval, with what the whole run looked like then (clients, server CPU and memory).</summary>
internal sealed record IntervalRow(double ElapsedSeconds, int Clients, double ServerCpuPercent, long ServerRssBytes, StepInterval Step);
