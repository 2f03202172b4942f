namespace Chat.LoadTests.KestrelBaseline;

/// <summary>A stored chat message; <see cref="Username"/> and <see cref="Comment"/> are already HTML-escaped.</summary>
internal sealed record ChatMessage(long Id, string Username, string Comment, DateTime Timestamp);
