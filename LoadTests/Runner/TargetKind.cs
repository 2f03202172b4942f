namespace Chat.LoadTests.Runner;

/// <summary>What a run is aimed at.</summary>
internal enum TargetKind
{
    /// <summary>ChatServer.dll started by the runner.</summary>
    Ours,

    /// <summary>The Kestrel baseline KestrelBaseline.dll started by the runner.</summary>
    Kestrel,

    /// <summary>A server already running at <c>--url</c>.</summary>
    Url,
}
