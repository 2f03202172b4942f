using System.Buffers;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Storage;

namespace Chat.Pipeline.Http;

/// <summary>
/// GET /rooms: <c>[{"room", "lastId", "online"}]</c> sorted by name: every room the store holds messages of (from every
/// node) and every room a connection here named, with the last stored id and the connections online in it. The store
/// read and the JSON run on the <see cref="HistoryReader"/>, like /chat-history's.
/// </summary>
internal static class RoomsAnswer
{
    private static ReadOnlySpan<byte> RetryAfter => "Retry-After: 1\r\n"u8;

    public static void Send(Session session, HistoryReader history, RoomDirectory rooms, bool keepAlive, bool headOnly)
    {
        var answer = history.TryReadRooms(rooms, keepAlive, headOnly);
        if (answer is null)
        {
            HttpAnswer.SendError(session, 503, "rooms busy: too many reads queued, retry", keepAlive, headOnly, RetryAfter);
            return;
        }
        HttpAnswer.SendLater(session, answer);
    }

    /// <summary>The body; a room the store returns without a name is its bug, and throws an ArgumentException.</summary>
    internal static ArrayBufferWriter<byte> Write(IReadOnlyList<RoomSummary> stored, RoomDirectory rooms)
    {
        var merged = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var summary in stored) merged[summary.Room] = summary.LastId;
        foreach (var room in rooms.All) merged[room.Name] = Math.Max(merged.GetValueOrDefault(room.Name), room.LastId);
        var output = new ArrayBufferWriter<byte>(64 + merged.Count * 64);
        JsonOutput.Literal(output, "["u8);
        var first = true;
        foreach (var (name, lastId) in merged)
        {
            JsonOutput.Literal(output, first ? "{\"room\":"u8 : ",{\"room\":"u8);
            JsonOutput.String(output, name);
            JsonOutput.Literal(output, ",\"lastId\":"u8);
            JsonOutput.Number(output, lastId);
            JsonOutput.Literal(output, ",\"online\":"u8);
            JsonOutput.Number(output, rooms.TryGet(name, out var room) ? room.Presence.Connections : 0);
            JsonOutput.Literal(output, "}"u8);
            first = false;
        }
        JsonOutput.Literal(output, "]"u8);
        return output;
    }
}
