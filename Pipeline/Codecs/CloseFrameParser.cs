using System.Buffers.Binary;
using System.Text.Unicode;

namespace Chat.Pipeline.Codecs;

/// <summary>Reads a peer's close payload (RFC 6455 section 5.5.1): optional 2-byte code, then a UTF-8 reason.</summary>
internal static class CloseFrameParser
{
    /// <summary>payload is unmasked. code is 0 when the payload holds none (Empty, OneBytePayload).</summary>
    public static CloseFrameError Parse(ReadOnlySpan<byte> payload, out ushort code)
    {
        code = 0;
        if (payload.IsEmpty)
        {
            return CloseFrameError.Empty;
        }

        if (payload.Length == 1)
        {
            return CloseFrameError.OneBytePayload;
        }

        code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!CloseStatusRules.IsValidOnWire(code))
        {
            return CloseFrameError.InvalidCode;
        }

        return Utf8.IsValid(payload[2..]) ? CloseFrameError.None : CloseFrameError.InvalidUtf8Reason;
    }
}
