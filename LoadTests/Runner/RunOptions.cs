namespace Chat.LoadTests.Runner;

/// <summary>
/// One <c>run</c> command. Null numbers mean "the scenario's default". Limits keep a run bounded: clients, rate and
/// duration have maxima, and only loopback targets are allowed unless <see cref="AllowRemote"/>.
/// </summary>
internal sealed record RunOptions
{
    public const int MaxClients = 100_000;
    public const double MaxDurationSeconds = 600;
    public const double MaxRate = 1_000_000;

    /// <summary>Below the runner's 20,000 hard descriptor limit with room for the run's other sockets.</summary>
    public const int MaxFloodConnections = 15_000;

    /// <summary>
    /// Messages per room our server keeps for replay without a store query (its PipelineOptions.ReplayWindow, which no
    /// CHAT_* setting changes): a since= within it is served from memory, one before it from the store.
    /// </summary>
    public const int ServerReplayWindow = 4096;

    public required string Scenario { get; init; }
    public TargetKind Target { get; init; } = TargetKind.Ours;
    public IReadOnlyList<Uri> Urls { get; init; } = [];
    public bool AllowRemote { get; init; }
    public StoreKind Store { get; init; } = StoreKind.Embedded;
    public string? Postgres { get; init; }
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    public int? Clients { get; init; }
    public int? Senders { get; init; }
    public double? Rate { get; init; }
    public int? MessageSize { get; init; }
    public TimeSpan? Duration { get; init; }
    public TimeSpan? Ramp { get; init; }
    public TimeSpan? Warmup { get; init; }
    public int? Slow { get; init; }
    public int? Window { get; init; }
    public int? Rooms { get; init; }
    /// <summary>replay: messages stored before the replaying clients connect.</summary>
    public int? Messages { get; init; }
    /// <summary>replay: messages each client asks for in the window round (since = the last id less this).</summary>
    public int? Replay { get; init; }
    /// <summary>Another build of our server to start instead of this checkout's (before/after comparisons).</summary>
    public string? ServerDll { get; init; }
    public int? SourceAddresses { get; init; }
    public int? FloodConnections { get; init; }
    public string? Out { get; init; }
    public bool Live { get; init; } = true;
    /// <summary>The started servers speak TLS (a throwaway certificate) and the clients https and wss.</summary>
    public bool Tls { get; init; }
    /// <summary>Clients offer permessage-deflate (and inflate what comes compressed); ours is started with it on.</summary>
    public bool Deflate { get; init; }

    /// <summary>What the report calls the target: "ours", "kestrel", "kestrel-lean", "bun" or the URL, with "+tls" over TLS.</summary>
    public string TargetLabel => Target switch
    {
        TargetKind.Ours => "ours",
        TargetKind.Kestrel => "kestrel",
        TargetKind.KestrelLean => "kestrel-lean",
        TargetKind.Bun => "bun",
        _ => string.Join(' ', Urls),
    } + (Tls ? "+tls" : "") + (Deflate ? "+deflate" : "");
}
