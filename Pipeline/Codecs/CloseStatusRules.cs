namespace Chat.Pipeline.Codecs;

/// <summary>Which close codes may appear in a close frame on the wire (RFC 6455 section 7.4).</summary>
internal static class CloseStatusRules
{
    /// <summary>
    /// True for 1000-1003, 1007-1014 and 3000-4999. 1004 is reserved, 1005, 1006 and 1015 are for local use only
    /// (never sent), 1016-2999 are unassigned protocol codes, 0-999 and 5000+ are not used at all.
    /// 1012-1014 are IANA-registered (service restart, try again later, bad gateway).
    /// </summary>
    public static bool IsValidOnWire(int code) =>
        code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);
}
