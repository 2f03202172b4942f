using System.Buffers;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Http;

/// <summary>
/// GET /presence?room=NAME: the escaped usernames online in the room, sorted, each once, written by
/// <see cref="JsonOutput"/> as chat frames write them.
/// </summary>
internal static class PresenceAnswer
{
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
        JsonOutput.StringArray(body, online);
        HttpAnswer.Send(session, 200, HttpAnswer.Json, body.WrittenSpan, keepAlive, headOnly, NoCache);
    }
}
