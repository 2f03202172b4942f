using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Infrastructure;

/// <summary>One frame the server sent (RFC 6455 section 5.2), checked to be unmasked with clear RSV bits.</summary>
internal sealed record ServerFrame(bool Fin, Opcode Opcode, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    /// <summary>The status code of a close frame, or null for a close without one.</summary>
    public int? CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : null;

    /// <summary>The opcode as its wire number, and the payload: for cases that read streams of frames.</summary>
    public void Deconstruct(out int opcode, out byte[] payload)
    {
        opcode = (int)Opcode;
        payload = Payload;
    }

    public JsonElement Json()
    {
        Assert.Equal(Opcode.Text, Opcode);
        using var document = JsonDocument.Parse(Payload);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"{Opcode} fin={Fin} {Payload.Length} bytes" + (Opcode == Opcode.Close ? $" code {CloseCode}" : Opcode == Opcode.Text ? $" '{Text}'" : "");
}
