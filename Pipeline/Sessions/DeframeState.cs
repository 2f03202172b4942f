using Chat.Pipeline.Codecs;

namespace Chat.Pipeline.Sessions;

/// <summary>The deframe stage's own state for one connection: its frame decoder. Created at the connection's first item, dropped on Closed.</summary>
internal sealed class DeframeState(FrameDecoder decoder)
{
    public FrameDecoder Decoder = decoder;
}
