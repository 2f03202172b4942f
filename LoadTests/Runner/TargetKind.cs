namespace Chat.LoadTests.Runner;

/// <summary>What a run is aimed at.</summary>
internal enum TargetKind
{
    /// <summary>ChatServer.dll started by the runner.</summary>
    Ours,

    /// <summary>The Kestrel baseline KestrelBaseline.dll started by the runner.</summary>
    Kestrel,

    /// <summary>The lean Kestrel chat KestrelLean.dll (one semaphore, one awaited send per receiver in turn), started by the runner.</summary>
    KestrelLean,

    /// <summary>The Bun.serve chat BunChat/chat.js (uWebSockets pub/sub), started by the runner under Bun from the npm registry.</summary>
    Bun,

    /// <summary>A server already running at <c>--url</c>.</summary>
    Url,
}
