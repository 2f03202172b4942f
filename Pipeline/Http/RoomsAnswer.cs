using System.Buffers;
using System.Text.Json;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Reactor;
using Chat.Storage;

namespace Chat.Pipeline.Http;

/// <summary>
/// GET /rooms: <c>[{"room", "lastId", "online"}]</c> sorted by name: every room the store holds messages of (from every
/// node) and every room a connection here named, with the last stored id and the connections online in it.
/// </summary>
internal static class RoomsAnswer
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static ReadOnlySpan<byte> NoCache => "Cache-Control: no-cache\r\n"u8;

    public static void Send(Session session, IMessageStore store, RoomDirectory rooms, bool keepAlive, bool headOnly) =>
        HttpAnswer.SendLater(session, ProduceAsync(store, rooms, keepAlive, headOnly));

    private static async Task<(SharedBuffer, int, bool)> ProduceAsync(IMessageStore store, RoomDirectory rooms, bool keepAlive, bool headOnly)
    {
        // The embedded store reads synchronously: off the stage worker that called us.
        await Task.Yield();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            var stored = await store.ReadRoomsAsync(timeout.Token).ConfigureAwait(false);
            var body = Write(stored, rooms);
            var buffer = HttpAnswer.Write(200, HttpAnswer.Json, body.WrittenSpan, keepAlive, headOnly, NoCache, out var length);
            return (buffer, length, keepAlive);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var buffer = HttpAnswer.Write(503, HttpAnswer.TextPlain, "rooms unavailable: the store does not answer\n"u8, keepAlive, headOnly, default, out var length);
            return (buffer, length, keepAlive);
        }
    }

    internal static ArrayBufferWriter<byte> Write(IReadOnlyList<RoomSummary> stored, RoomDirectory rooms)
    {
        var merged = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var summary in stored) merged[summary.Room] = summary.LastId;
        foreach (var room in rooms.All) merged[room.Name] = Math.Max(merged.GetValueOrDefault(room.Name), room.LastId);
        var output = new ArrayBufferWriter<byte>(64 + merged.Count * 64);
        using var json = new Utf8JsonWriter(output);
        json.WriteStartArray();
        foreach (var (name, lastId) in merged)
        {
            json.WriteStartObject();
            json.WriteString("room"u8, name);
            json.WriteNumber("lastId"u8, lastId);
            json.WriteNumber("online"u8, rooms.TryGet(name, out var room) ? room.Presence.Connections : 0);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        return output;
    }
}
