namespace Chat.Pipeline.Codecs;

/// <summary>
/// The <c>since</c> query parameter of a handshake or a history request: absent, or the last id the client has, a
/// non-negative decimal integer. One parser, so the two requests cannot drift apart on what they accept.
/// </summary>
internal static class SinceQuery
{
    public const string Rule = "since must be a non-negative integer";

    /// <summary>False when the parameter is present but not a non-negative integer; without one, -1 (no since).</summary>
    public static bool TryGet(ReadOnlySpan<byte> query, out long since)
    {
        since = -1;
        if (!QueryString.Has(query, "since"u8)) return true;
        if (QueryString.TryGetInt64(query, "since"u8, out since) && since >= 0) return true;
        since = -1;
        return false;
    }
}
