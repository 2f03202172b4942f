namespace Chat.Pipeline.Codecs;

/// <summary>Result of <see cref="CloseFrameParser.Parse"/>; Empty is legal (a close without status).</summary>
internal enum CloseFrameError
{
    None,
    Empty,
    OneBytePayload,
    InvalidCode,
    InvalidUtf8Reason,
}
