using System.Text.Json;

namespace Chat.UnitTests.Infrastructure;

/// <summary>A chatMessage as clients receive it (PROTOCOL.md).</summary>
internal sealed record ChatFrame(long Id, string Username, string Comment, string Timestamp)
{
    public static ChatFrame From(JsonElement json)
    {
        if (json.GetProperty("messageType").GetString() != "chatMessage") throw new InvalidDataException($"expected a chatMessage, got {json}");
        return new ChatFrame(json.GetProperty("id").GetInt64(), json.GetProperty("username").GetString()!,
            json.GetProperty("comment").GetString()!, json.GetProperty("timestamp").GetString()!);
    }
}
