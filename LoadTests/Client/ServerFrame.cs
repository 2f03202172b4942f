namespace Chat.LoadTests.Client;

/// <summary>One decoded server frame header: where its payload lies in the buffer it was read from.</summary>
/// <param name="Compressed">RSV1: the message is compressed with permessage-deflate (RFC 7692 section 6).</param>
internal readonly record struct ServerFrame(bool Final, byte Opcode, int PayloadOffset, int PayloadLength, bool Compressed = false)
{
    public int TotalLength => PayloadOffset + PayloadLength;
}
