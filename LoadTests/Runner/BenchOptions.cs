namespace Chat.LoadTests.Runner;

/// <summary>One <c>bench</c> command: the standard set, ours against the Kestrel baseline, into one report.</summary>
internal sealed record BenchOptions
{
    public required string Out { get; init; }

    /// <summary>Seconds of steady load per measured run (default 10); the whole set stays under about five minutes.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public bool Live { get; init; } = true;
}
