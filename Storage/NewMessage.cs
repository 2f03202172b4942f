namespace Chat.Storage;

/// <summary>A message to store.</summary>
/// <param name="Username">UTF-8, already HTML-escaped: what is stored is what is broadcast.</param>
/// <param name="Comment">UTF-8, already HTML-escaped.</param>
/// <param name="Timestamp">UTC with millisecond precision (the pipeline truncates it; the stores truncate again).</param>
public readonly record struct NewMessage(ReadOnlyMemory<byte> Username, ReadOnlyMemory<byte> Comment, DateTime Timestamp);
