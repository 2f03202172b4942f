using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chat.Storage;

namespace Chat.Pipeline.Http;

/// <summary>GET /chat-history's body: the stored messages as the same objects the chatMessage frames carry.</summary>
internal static class HistoryJson
{
    // The stored text is already HTML-escaped; relaxed escaping keeps "&lt;" readable instead of "\u0026lt;".
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ArrayBufferWriter<byte> Write(string room, IReadOnlyList<StoredMessage> messages)
    {
        var output = new ArrayBufferWriter<byte>(128 + messages.Count * 160);
        using var json = new Utf8JsonWriter(output, Options);
        json.WriteStartArray();
        foreach (var message in messages)
        {
            json.WriteStartObject();
            json.WriteString("messageType"u8, "chatMessage"u8);
            json.WriteNumber("id"u8, message.Id);
            json.WriteString("room"u8, room);
            json.WriteString("username"u8, message.Username);
            json.WriteString("comment"u8, message.Comment);
            json.WriteString("timestamp"u8, message.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        return output;
    }
}
