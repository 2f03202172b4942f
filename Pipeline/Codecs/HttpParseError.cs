namespace Chat.Pipeline.Codecs;

/// <summary>Why a request head was refused: 400 unless noted.</summary>
internal enum HttpParseError
{
    None,
    BadRequestLine,

    /// <summary>505: not HTTP/1.x.</summary>
    UnsupportedVersion,
    BadHeader,

    /// <summary>431: more than <see cref="HttpHeadParser.MaxHeaders"/> header lines.</summary>
    TooManyHeaders,
    MissingHost,
    ConflictingContentLength,

    /// <summary>The request announces a body (Content-Length > 0 or Transfer-Encoding); the head is still fully parsed.</summary>
    HasBody,
}
