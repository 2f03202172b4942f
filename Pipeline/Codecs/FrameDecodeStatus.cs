namespace Chat.Pipeline.Codecs;

/// <summary>What one <see cref="FrameDecoder.Decode"/> call produced.</summary>
internal enum FrameDecodeStatus
{
    NeedMoreData,
    Header,
    Payload,
    FrameEnd,
    Error,
}
