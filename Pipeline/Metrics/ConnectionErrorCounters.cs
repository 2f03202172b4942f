namespace Chat.Pipeline.Metrics;

/// <summary>Connections closed because handling one of their items threw, one counter per stage (Interlocked).</summary>
internal sealed class ConnectionErrorCounters
{
    private static readonly string[] Labels = ["parse_header", "handshake", "deframe", "unmask", "escape", "encode", "broadcast", "replay"];
    private readonly long[] _counts = new long[Labels.Length];

    public void Add(PipelineStage stage) => Interlocked.Increment(ref _counts[(int)stage]);

    public long this[PipelineStage stage] => Interlocked.Read(ref _counts[(int)stage]);

    public static string LabelOf(PipelineStage stage) => Labels[(int)stage];

    public void Reset()
    {
        for (var i = 0; i < _counts.Length; i++) Interlocked.Exchange(ref _counts[i], 0);
    }

    /// <summary>Every stage, zeros included, so that a scrape sees the series before the first failure.</summary>
    public void WriteTo(PrometheusWriter writer)
    {
        writer.Header("chat_connection_errors_total", "Connections closed (1011, or 500 before the upgrade) because handling them threw, by stage.", "counter");
        for (var i = 0; i < Labels.Length; i++) writer.Sample("chat_connection_errors_total", "stage", Labels[i], Interlocked.Read(ref _counts[i]));
    }
}
