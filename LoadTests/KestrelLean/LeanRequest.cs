using System.Text.Json.Serialization;

namespace Chat.LoadTests.KestrelLean;

/// <summary>A client frame of PROTOCOL.md.</summary>
internal sealed record LeanRequest(
    [property: JsonPropertyName("messageType")] string? MessageType,
    [property: JsonPropertyName("comment")] string? Comment);
