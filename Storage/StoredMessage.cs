namespace Chat.Storage;

/// <summary>A message as read back from a store; <see cref="Timestamp"/> has <see cref="DateTimeKind.Utc"/>.</summary>
public sealed record StoredMessage(long Id, string Username, string Comment, DateTime Timestamp);
