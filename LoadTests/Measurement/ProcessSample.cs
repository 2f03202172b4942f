namespace Chat.LoadTests.Measurement;

/// <summary>CPU time (user + system) and resident memory of a process at one moment.</summary>
internal readonly record struct ProcessSample(TimeSpan Cpu, long RssBytes);
