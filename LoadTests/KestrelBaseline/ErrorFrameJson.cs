using System.Text.Json.Serialization;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>The error frame sent to one client alone.</summary>
internal sealed record ErrorFrameJson(
    [property: JsonPropertyName("messageType")] string MessageType,
    [property: JsonPropertyName("error")] string Error);
