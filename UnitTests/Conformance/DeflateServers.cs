namespace Chat.UnitTests.Conformance;

/// <summary>
/// Servers with permessage-deflate on and no minimum size (every chat frame that compresses at all gets a compressed
/// twin), and a small message limit so that a deflate bomb is cheap to build.
/// </summary>
public sealed class DeflateServers : ConformanceServers
{
    public const int MaxMessageBytes = 16 * 1024;

    private protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["CHAT_MAX_MESSAGES_PER_SECOND"] = "0",
        ["CHAT_PERMESSAGE_DEFLATE"] = "on",
        ["CHAT_DEFLATE_MIN_BYTES"] = "0",
        ["CHAT_MAX_MESSAGE_BYTES"] = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CHAT_MAX_COMMENT_CHARS"] = "8000",
    };
}
