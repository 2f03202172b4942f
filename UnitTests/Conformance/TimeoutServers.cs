namespace Chat.UnitTests.Conformance;

/// <summary>Servers with short timers (head deadline, ping, idle) and an Origin allow-list, for the cases that need them.</summary>
public sealed class TimeoutServers : ConformanceServers
{
    public const string AllowedOrigin = "http://allowed.example";

    private protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["CHAT_HEAD_TIMEOUT_SECONDS"] = "1",
        ["CHAT_PING_INTERVAL_SECONDS"] = "1",
        ["CHAT_IDLE_TIMEOUT_SECONDS"] = "3",
        ["CHAT_ALLOWED_ORIGINS"] = AllowedOrigin + ", http://other.example",
    };
}
