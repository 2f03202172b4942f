using Chat.Pipeline.Codecs;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// The parse header stage's own state for one connection: the head being gathered. Created by that stage when the
/// connection opens, dropped when it closes; no other stage or thread touches it.
/// </summary>
internal sealed class ParseHeaderState
{
    public byte[]? HeadBuffer;
    public int HeadLength;
    public HeadTerminatorScanner HeadScanner;
    /// <summary>The request being rejected said HEAD: its error answer gets the head only.</summary>
    public bool RejectingHead;
}
