using System.Text.Json.Serialization;

namespace Chat.LoadTests.KestrelLean;

/// <summary>A server frame of PROTOCOL.md: a chatMessage, or an error with only <see cref="Error"/> set.</summary>
internal sealed record LeanMessage(
    [property: JsonPropertyName("messageType")] string MessageType,
    [property: JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Id = 0,
    [property: JsonPropertyName("username"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: JsonPropertyName("comment"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Comment = null,
    [property: JsonPropertyName("timestamp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Timestamp = null,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);
