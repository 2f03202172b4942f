using System.Buffers;
using Chat.Pipeline.Codecs;
using Chat.Reactor;

namespace Chat.Pipeline.Presence;

/// <summary>
/// <c>{"messageType":"presence","room","joined":[names],"left":[names],"online":N}</c> as one server text frame,
/// shared by every receiver. Names are the escaped usernames, written by <see cref="JsonOutput"/>: the same bytes as
/// in the chat frames of the same people.
/// </summary>
internal static class PresenceFrames
{
    public static SharedBuffer Write(string room, IReadOnlyList<string> joined, IReadOnlyList<string> left, int online, out int length)
    {
        var json = new ArrayBufferWriter<byte>(96 + 40 * (joined.Count + left.Count));
        JsonOutput.Literal(json, "{\"messageType\":\"presence\",\"room\":"u8);
        JsonOutput.String(json, room);
        JsonOutput.Literal(json, ",\"joined\":"u8);
        JsonOutput.StringArray(json, joined);
        JsonOutput.Literal(json, ",\"left\":"u8);
        JsonOutput.StringArray(json, left);
        JsonOutput.Literal(json, ",\"online\":"u8);
        JsonOutput.Number(json, online);
        JsonOutput.Literal(json, "}"u8);
        var payload = json.WrittenSpan;
        var header = FrameEncoder.HeaderLength(payload.Length);
        var frame = SharedBuffer.Rent(header + payload.Length);
        FrameEncoder.WriteHeader(frame.Span, Opcode.Text, fin: true, payload.Length);
        payload.CopyTo(frame.Span[header..]);
        length = header + payload.Length;
        return frame;
    }
}
