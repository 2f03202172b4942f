namespace Chat.Pipeline.Codecs;

/// <summary>Request methods of RFC 9110 section 9; any other valid token is Unknown.</summary>
internal enum HttpMethod : byte
{
    Unknown,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Patch,
    Options,
    Trace,
    Connect,
}
