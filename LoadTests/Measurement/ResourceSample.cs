namespace Chat.LoadTests.Measurement;

/// <summary>
/// The server's resources at one moment of a run: resident memory, open descriptors, threads, and from its /metrics
/// (null when /metrics did not answer) the managed heap after the last GC, the managed memory in use now and the open
/// connections.
/// </summary>
internal sealed record ResourceSample(double ElapsedSeconds, long RssBytes, int OpenFiles, int Threads, long? HeapBytes, long? ManagedBytes, long? Connections);
