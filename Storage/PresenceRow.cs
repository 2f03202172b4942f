namespace Chat.Storage;

/// <summary>
/// One node's presence in one room: the escaped usernames online there (sorted, each once) and how many connections
/// they hold. A row with no connections means the node left the room.
/// </summary>
public sealed record PresenceRow(string Room, IReadOnlyList<string> Names, int Connections);
