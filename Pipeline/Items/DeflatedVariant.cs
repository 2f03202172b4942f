using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Items;

/// <summary>
/// Where a broadcast frame's compressed twin sits in the same shared buffer (RSV1 set, RFC 7692), beside the plain
/// frame; default when the message has none (deflate off, payload under the minimum, or nothing saved).
/// </summary>
internal readonly struct DeflatedVariant(int offset, int length, int payloadLength)
{
    public int Offset { get; } = offset;

    /// <summary>Bytes of the compressed frame, header included; 0: no compressed twin.</summary>
    public int Length { get; } = length;

    /// <summary>Bytes of the uncompressed JSON payload (what a peer's server_max_window_bits is measured against).</summary>
    public int PayloadLength { get; } = payloadLength;

    /// <summary>The receiver negotiated permessage-deflate with a window this message fits in.</summary>
    public bool FitsFor(Session receiver) => Length > 0 && receiver.Member!.Deflate.MaxCompressedPayload >= PayloadLength;
}
