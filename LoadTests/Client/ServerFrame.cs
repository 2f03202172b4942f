namespace Chat.LoadTests.Client;

/// <summary>One decoded server frame header: where its payload lies in the buffer it was read from.</summary>
internal readonly record struct ServerFrame(bool Final, byte Opcode, int PayloadOffset, int PayloadLength)
{
    public int TotalLength => PayloadOffset + PayloadLength;
}
