namespace Chat.Pipeline.Codecs;

/// <summary>The header checks of <see cref="FrameDecoder"/>, each run as soon as its bytes are in.</summary>
internal partial struct FrameDecoder
{
    // RFC 6455 section 5.2 (RSV, opcodes), 5.4 (fragmentation), 5.5 (control frames are never fragmented).
    // RFC 7692 section 6.1: with permessage-deflate, RSV1 marks a compressed message on its first frame only.
    private bool AcceptFirstByte(byte b)
    {
        _first = b;
        int opcode = b & 0x0F;
        if ((b & 0x70) != 0)
        {
            if ((b & 0x70) != 0x40 || !_compressionAllowed)
            {
                return Fail(CloseStatus.ProtocolError, "reserved bits set without a negotiated extension");
            }

            if (opcode is not ((int)Opcode.Text or (int)Opcode.Binary))
            {
                return Fail(CloseStatus.ProtocolError, "RSV1 set on a control or continuation frame");
            }
        }

        bool fin = (b & 0x80) != 0;
        switch (opcode)
        {
            case (int)Opcode.Continuation:
                return InFragmentedMessage
                    || Fail(CloseStatus.ProtocolError, "continuation frame without a message in progress");
            case (int)Opcode.Text or (int)Opcode.Binary:
                return !InFragmentedMessage
                    || Fail(CloseStatus.ProtocolError, "new data frame inside a fragmented message");
            case (int)Opcode.Close or (int)Opcode.Ping or (int)Opcode.Pong:
                return fin || Fail(CloseStatus.ProtocolError, "fragmented control frame");
            default:
                return Fail(CloseStatus.ProtocolError, "reserved opcode");
        }
    }

    // RFC 6455 section 5.1: a server must close on an unmasked client frame; 5.5: control payload <= 125.
    private bool AcceptSecondByte(byte b)
    {
        if ((b & 0x80) == 0)
        {
            return Fail(CloseStatus.ProtocolError, "unmasked client frame");
        }

        return (_first & 0x08) == 0 || (b & 0x7F) <= MaxControlPayload
            || Fail(CloseStatus.ProtocolError, "control frame payload over 125 bytes");
    }

    private bool AcceptLength()
    {
        if (_length > long.MaxValue)
        {
            return Fail(CloseStatus.ProtocolError, "64-bit payload length with the most significant bit set");
        }

        long length = (long)_length;
        if (length > _maxFramePayload)
        {
            return Fail(CloseStatus.MessageTooBig, "frame payload too big");
        }

        int opcode = _first & 0x0F;
        if (opcode < 0x8)
        {
            long before = opcode == (int)Opcode.Continuation ? _messageLength : 0;
            if (length > _maxMessagePayload - before)
            {
                return Fail(CloseStatus.MessageTooBig, "message too big");
            }
        }

        return true;
    }
}
