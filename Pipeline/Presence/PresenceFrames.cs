using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chat.Pipeline.Codecs;
using Chat.Reactor;

namespace Chat.Pipeline.Presence;

/// <summary>
/// <c>{"messageType":"presence","room","joined":[names],"left":[names],"online":N}</c> as one server text frame,
/// shared by every receiver. Names are the escaped usernames, as chat frames carry them.
/// </summary>
internal static class PresenceFrames
{
    // The names are already HTML-escaped; relaxed escaping keeps "&lt;" readable, as history does.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static SharedBuffer Write(string room, IReadOnlyList<string> joined, IReadOnlyList<string> left, int online, out int length)
    {
        var json = new ArrayBufferWriter<byte>(96 + 40 * (joined.Count + left.Count));
        using (var writer = new Utf8JsonWriter(json, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("messageType"u8, "presence"u8);
            writer.WriteString("room"u8, room);
            writer.WriteStartArray("joined"u8);
            foreach (var name in joined) writer.WriteStringValue(name);
            writer.WriteEndArray();
            writer.WriteStartArray("left"u8);
            foreach (var name in left) writer.WriteStringValue(name);
            writer.WriteEndArray();
            writer.WriteNumber("online"u8, online);
            writer.WriteEndObject();
        }
        var payload = json.WrittenSpan;
        var header = FrameEncoder.HeaderLength(payload.Length);
        var frame = SharedBuffer.Rent(header + payload.Length);
        FrameEncoder.WriteHeader(frame.Span, Opcode.Text, fin: true, payload.Length);
        payload.CopyTo(frame.Span[header..]);
        length = header + payload.Length;
        return frame;
    }
}
