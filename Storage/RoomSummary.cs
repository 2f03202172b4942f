namespace Chat.Storage;

/// <summary>A room the store knows and the last id it gave out there (0 when none yet).</summary>
public sealed record RoomSummary(string Room, long LastId);
