namespace Chat.Pipeline;

/// <summary>Every limit of the HTTP, WebSocket and chat layers, with its default and unit. Validated once at start-up.</summary>
public sealed class PipelineOptions
{
    /// <summary>Largest request head in bytes; a longer one gets 431. Default 16 KiB.</summary>
    public int MaxHeadBytes { get; init; } = 16 * 1024;

    /// <summary>A connection that sends no complete head within this time is closed (408). Default 10 s.</summary>
    public TimeSpan HeadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest WebSocket frame payload and reassembled message in bytes; larger closes with 1009. Default 64 KiB.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024;

    /// <summary>Longest comment in Unicode scalar values. Default 4096.</summary>
    public int MaxCommentChars { get; init; } = 4096;

    /// <summary>Chat messages per second one connection may send on average; 0 turns the limit off. Default 100.</summary>
    public int MessagesPerSecond { get; init; } = 100;

    /// <summary>Messages a connection may send at once above the average rate. Default 200.</summary>
    public int MessageBurst { get; init; } = 200;

    /// <summary>
    /// Messages refused in a row for the rate limit (each answered with an error frame) after which the connection is
    /// closed with 1008. Default 5.
    /// </summary>
    public int RateLimitStrikes { get; init; } = 5;

    /// <summary>
    /// Pings, pongs and empty continuation frames per second one connection may send (also the burst); past it the
    /// connection is closed with 1008. 0 turns the limit off. Default 100.
    /// </summary>
    public int ControlFramesPerSecond { get; init; } = 100;

    /// <summary>
    /// Period of the abuse report: each client address that caused protocol errors, refused requests or limit closes
    /// gets one summary line per period. Default 10 s.
    /// </summary>
    public TimeSpan AbuseReportPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A WebSocket peer silent for this long is pinged. Default 30 s.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A WebSocket peer silent for this long (pongs count as activity) is closed with 1001. Default 75 s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>
    /// Chat messages of one connection that may be in the pipeline (received, not yet broadcast). Past it the server
    /// stops reading that connection, and resumes at half. Default 64.
    /// </summary>
    public int MaxPendingMessagesPerConnection { get; init; } = 64;

    public const int DefaultMaxPipelinedRequests = 16;

    /// <summary>
    /// HTTP requests of one connection read and not yet answered; past it the server stops reading that connection
    /// until half are answered. Default 16.
    /// </summary>
    public int MaxPipelinedRequests { get; init; } = DefaultMaxPipelinedRequests;

    /// <summary>
    /// Reader tasks that run /chat-history store reads and write their JSON, off the stage workers; each holds a pool
    /// thread during an embedded-store read, and together they bound the CPU a history flood can take. Default: half
    /// the cores, at least 1.
    /// </summary>
    public int HistoryReaders { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>/chat-history reads queued for the readers at most; past it a request gets 503 with Retry-After. Default 1024.</summary>
    public int HistoryQueue { get; init; } = 1024;

    /// <summary>Items each inter-stage channel holds before its writer waits. Default 8192.</summary>
    public int StageCapacity { get; init; } = 8192;

    /// <summary>Most messages written in one store transaction (group commit). Default 4096.</summary>
    public int MaxBatchSize { get; init; } = 4096;

    /// <summary>Messages kept in memory for replay without a store query (reconnects within the window). Default 4096.</summary>
    public int ReplayWindow { get; init; } = 4096;

    /// <summary>
    /// How long a catching-up client may take to read half its send queue before it is dropped as a slow consumer.
    /// Replay queues at most that much ahead of it, so a reconnect that misses more than the queue holds is paced by
    /// the client, not dropped. Default 10 s (reading 512 KiB at the default high-water mark: 51 KB/s).
    /// </summary>
    public TimeSpan ReplayDrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>This node's name in /metrics and logs, when several nodes share one database. Default: the host name.</summary>
    public string NodeName { get; init; } = Environment.MachineName;

    /// <summary>Allowed Origin values for the handshake (exact, case-insensitive); empty allows every origin.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>
    /// Rooms that may exist at most (counting <c>general</c> and rooms that hold messages); a handshake that would
    /// create one more gets 403. Default 1000.
    /// </summary>
    public int MaxRooms { get; init; } = 1000;

    /// <summary>The only room names a handshake may use (lower case, 1..64 of a-z 0-9 - _); empty allows any name.</summary>
    public IReadOnlyList<string> AllowedRooms { get; init; } = [];

    /// <summary>
    /// Accept permessage-deflate (RFC 7692) when a client offers it: chat frames are then compressed once per broadcast
    /// for every receiver that negotiated it, and compressed client messages are inflated. Default off (see
    /// docs/benchmarks.md: it costs CPU per message for few bytes saved on short chat lines).
    /// </summary>
    public bool PerMessageDeflate { get; init; }

    /// <summary>
    /// Chat frames whose JSON payload is shorter than this many bytes go uncompressed (RSV1 clear) even to peers that
    /// negotiated permessage-deflate: below it deflate saves next to nothing. Default 256.
    /// </summary>
    public int DeflateMinBytes { get; init; } = 256;

    /// <summary>zlib level of the broadcast compressor, 1 (fastest) to 9 (smallest). Default 6 (zlib's own default).</summary>
    public int DeflateLevel { get; init; } = 6;

    public void Validate()
    {
        Require(MaxHeadBytes is >= 1024 and <= 1 << 20, $"MaxHeadBytes must be 1024..1048576, got {MaxHeadBytes}");
        Require(HeadTimeout > TimeSpan.Zero, "HeadTimeout must be positive");
        Require(MaxMessageBytes is >= 125 and <= 16 << 20, $"MaxMessageBytes must be 125..16777216, got {MaxMessageBytes}");
        Require(MaxCommentChars is >= 1 and <= 1 << 20, $"MaxCommentChars must be 1..1048576, got {MaxCommentChars}");
        Require(PingInterval > TimeSpan.Zero && IdleTimeout > PingInterval, "IdleTimeout must be longer than PingInterval, both positive");
        Require(MaxPendingMessagesPerConnection >= 2, "MaxPendingMessagesPerConnection must be at least 2");
        Require(MessagesPerSecond >= 0 && MessageBurst >= 1 && RateLimitStrikes >= 1, "MessagesPerSecond must not be negative; MessageBurst and RateLimitStrikes must be positive");
        Require(AbuseReportPeriod >= TimeSpan.FromSeconds(1), "AbuseReportPeriod must be at least 1 s");
        Require(ReplayDrainTimeout > TimeSpan.Zero, "ReplayDrainTimeout must be positive");
        Require(ControlFramesPerSecond >= 0, "ControlFramesPerSecond must not be negative");
        Require(MaxPipelinedRequests >= 1, "MaxPipelinedRequests must be positive");
        Require(HistoryReaders is >= 1 and <= 64, $"HistoryReaders must be 1..64, got {HistoryReaders}");
        Require(HistoryQueue >= 1, "HistoryQueue must be positive");
        Require(StageCapacity >= 16, "StageCapacity must be at least 16");
        Require(MaxBatchSize >= 1, "MaxBatchSize must be positive");
        Require(!string.IsNullOrWhiteSpace(NodeName) && NodeName.IndexOfAny(['"', '\\', '\n']) < 0, "NodeName must be non-empty without quotes, backslashes or newlines");
        Require(ReplayWindow >= 0, "ReplayWindow must not be negative");
        Require(DeflateMinBytes >= 0, $"DeflateMinBytes must not be negative, got {DeflateMinBytes}");
        Require(DeflateLevel is >= 1 and <= 9, $"DeflateLevel must be 1..9, got {DeflateLevel}");
        Require(MaxRooms >= 1, $"MaxRooms must be positive, got {MaxRooms}");
        foreach (var room in AllowedRooms)
        {
            Require(Storage.RoomName.IsValid(room), $"AllowedRooms: '{room}' is not a room name (1..64 of a-z 0-9 - _)");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }
}
