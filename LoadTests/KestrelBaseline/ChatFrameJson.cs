using System.Text.Json.Serialization;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>A chatMessage as clients receive it.</summary>
internal sealed record ChatFrameJson(
    [property: JsonPropertyName("messageType")] string MessageType,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("comment")] string Comment,
    [property: JsonPropertyName("timestamp")] string Timestamp);
