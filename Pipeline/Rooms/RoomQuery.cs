using Chat.Pipeline.Codecs;
using Chat.Storage;

namespace Chat.Pipeline.Rooms;

/// <summary>The <c>room</c> query parameter of a handshake or a history request: lower-cased, then 1..64 of a-z 0-9 - _.</summary>
internal static class RoomQuery
{
    public const string Rule = "room must be 1..64 characters of a-z 0-9 - _";

    /// <summary>False when the parameter is present but no valid name; without one, <see cref="RoomName.General"/>.</summary>
    public static bool TryGet(ReadOnlySpan<byte> query, out string room)
    {
        room = RoomName.General;
        if (!QueryString.Has(query, "room"u8)) return true;
        // Room names are ASCII; a longer decoded value cannot be one.
        Span<byte> decoded = stackalloc byte[RoomName.MaxLength + 1];
        if (!QueryString.TryGet(query, "room"u8, decoded, out var written) || written is 0 or > RoomName.MaxLength) return false;
        // Lower-cased first (the contract), then the one rule of room names.
        Span<char> name = stackalloc char[written];
        for (var i = 0; i < written; i++)
        {
            var c = (char)decoded[i];
            name[i] = c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;
        }
        if (name.SequenceEqual(RoomName.General)) return true;
        room = new string(name);
        if (RoomName.IsValid(room)) return true;
        room = RoomName.General;
        return false;
    }
}
