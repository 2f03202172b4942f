namespace Chat.Pipeline.Metrics;

/// <summary>Counters of the whole server, updated with Interlocked on the hot path and rendered for GET /metrics.</summary>
internal sealed class ServerMetrics
{
    public long ConnectionsOpened;
    public long ConnectionsRejected;
    public long HttpRequests;
    public long WebSocketSessions;
    public long MessagesReceived;
    public long MessagesRejected;
    public long MessagesStored;
    public long MessagesBroadcast;
    /// <summary>Messages received here that reached the broadcast stage (delivered, or already delivered via the cluster feed).</summary>
    public long MessagesSettled;
    public long FramesDelivered;
    public long BytesReceived;
    public long BytesQueued;
    public long SlowConsumersDropped;
    public long ProtocolErrors;
    public long PersistFailures;
    public long ReplayedMessages;
    public long ForeignMessages;
    public long SignalsReceived;
    public long SignalsRelayed;
    public long SignalsDropped;

    /// <summary>Connections closed because handling them threw, by stage.</summary>
    public ConnectionErrorCounters ConnectionErrors { get; } = new();

    /// <summary>Messages per committed batch.</summary>
    public Histogram BatchSize { get; } = new(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192);

    /// <summary>Seconds from the start of an append to its commit.</summary>
    public Histogram CommitSeconds { get; } = new(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);

    /// <summary>Seconds from a message's timestamp on another node to its delivery here.</summary>
    public Histogram ClusterLagSeconds { get; } = new(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);

    public static void Add(ref long counter, long value = 1) => Interlocked.Add(ref counter, value);

    /// <summary>
    /// Zeroes the traffic counters after the start-up warm-up, so that /metrics counts clients only. The warm-up
    /// stores and broadcasts nothing, so the histograms and the stored/broadcast counters are untouched by it.
    /// </summary>
    public void ResetCounters()
    {
        Interlocked.Exchange(ref ConnectionsOpened, 0);
        Interlocked.Exchange(ref ConnectionsRejected, 0);
        Interlocked.Exchange(ref HttpRequests, 0);
        Interlocked.Exchange(ref WebSocketSessions, 0);
        Interlocked.Exchange(ref MessagesRejected, 0);
        Interlocked.Exchange(ref FramesDelivered, 0);
        Interlocked.Exchange(ref BytesReceived, 0);
        Interlocked.Exchange(ref BytesQueued, 0);
        Interlocked.Exchange(ref ProtocolErrors, 0);
        Interlocked.Exchange(ref ReplayedMessages, 0);
        ConnectionErrors.Reset();
    }
}
