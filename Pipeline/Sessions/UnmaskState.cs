using Chat.Pipeline.Codecs;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// The unmask stage's own state for one connection: the message being reassembled, the control frame being read, and
/// whether the conversation is closing. Created at the connection's first item, dropped on Closed; no other stage or thread touches it.
/// </summary>
internal sealed class UnmaskState
{
    public Utf8Validator Utf8;
    public byte[]? Assembly;
    public int AssemblyLength;
    public bool MessageIsBinary;
    /// <summary>The message being assembled had RSV1 on its first frame: it is inflated once complete.</summary>
    public bool MessageCompressed;
    public readonly byte[] Control = new byte[125];
    public int ControlLength;
    /// <summary>A close frame was received or sent: later frames are ignored.</summary>
    public bool WebSocketClosed;
    /// <summary>A close is on its way down the pipeline behind this connection's messages: no second one.</summary>
    public bool ClosePending;
    /// <summary>Budget of pings, pongs and empty continuations per second.</summary>
    public TokenBucket ControlRate;
}
