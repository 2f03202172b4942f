namespace Chat.LoadTests.Measurement;

/// <summary>
/// CPU time (user + system), resident memory and write-type system calls so far (write, writev, send*: syscw of
/// /proc/PID/io) of a process at one moment.
/// </summary>
internal readonly record struct ProcessSample(TimeSpan Cpu, long RssBytes, long WriteCalls = 0);
