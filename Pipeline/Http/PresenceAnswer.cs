using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Http;

/// <summary>GET /presence?room=NAME: the escaped usernames online in the room, sorted, each once.</summary>
internal static class PresenceAnswer
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static ReadOnlySpan<byte> NoCache => "Cache-Control: no-cache\r\n"u8;

    public static void Send(Session session, ReadOnlySpan<byte> query, RoomDirectory rooms, bool keepAlive, bool headOnly)
    {
        if (!RoomQuery.TryGet(query, out var name))
        {
            HttpAnswer.SendError(session, 400, RoomQuery.Rule, keepAlive);
            return;
        }
        var online = rooms.TryGet(name, out var room) ? room.Presence.Online : [];
        var body = new ArrayBufferWriter<byte>(16 + online.Length * 24);
        using (var json = new Utf8JsonWriter(body, Options))
        {
            json.WriteStartArray();
            foreach (var user in online) json.WriteStringValue(user);
            json.WriteEndArray();
        }
        HttpAnswer.Send(session, 200, HttpAnswer.Json, body.WrittenSpan, keepAlive, headOnly, NoCache);
    }
}
