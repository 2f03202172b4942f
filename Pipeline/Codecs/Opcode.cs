namespace Chat.Pipeline.Codecs;

/// <summary>WebSocket frame opcodes (RFC 6455 section 5.2); 3-7 and 0xB-0xF are reserved.</summary>
internal enum Opcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}
