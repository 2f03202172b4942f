namespace Chat.Pipeline.Codecs;

/// <summary>A decoded WebSocket frame header (RFC 6455 section 5.2).</summary>
internal readonly struct FrameHeader
{
    public FrameHeader(bool fin, Opcode opcode, bool masked, uint maskKey, long payloadLength, bool compressed = false)
    {
        Compressed = compressed;
        Fin = fin;
        Opcode = opcode;
        Masked = masked;
        MaskKey = maskKey;
        PayloadLength = payloadLength;
    }

    public bool Fin { get; }

    public Opcode Opcode { get; }

    /// <summary>RSV1 on a message's first frame with permessage-deflate: the message is compressed (RFC 7692 section 6).</summary>
    public bool Compressed { get; }

    public bool Masked { get; }

    /// <summary>The 4 mask bytes as read from the wire, little-endian (first wire byte in the low 8 bits).</summary>
    public uint MaskKey { get; }

    public long PayloadLength { get; }

    /// <summary>Control frames have opcodes 0x8-0xF (RFC 6455 section 5.5).</summary>
    public bool IsControl => ((byte)Opcode & 0x8) != 0;
}
