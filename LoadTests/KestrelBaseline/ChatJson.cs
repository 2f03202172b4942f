using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>The JSON of PROTOCOL.md's messages, through System.Text.Json's source-generated serializers.</summary>
internal static class ChatJson
{
    public const int MaxCommentChars = 4096;

    /// <summary>
    /// Text is HTML-escaped before it gets here, so the relaxed encoder is safe, and it keeps the frames the size of
    /// our server's (the default encoder would write every escaped '&amp;' as \u0026).
    /// </summary>
    public static readonly ChatJsonContext Context = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static ChatFrameJson ToFrame(ChatMessage message) => new(
        "chatMessage",
        message.Id,
        message.Username,
        message.Comment,
        message.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    public static byte[] Encode(ChatMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(ToFrame(message), Context.ChatFrameJson);

    public static byte[] EncodeError(string error) =>
        JsonSerializer.SerializeToUtf8Bytes(new ErrorFrameJson("error", error), Context.ErrorFrameJson);

    /// <summary>The comment of a valid chatMessage, or null with the reason for the error frame.</summary>
    public static string? ParseComment(ReadOnlyMemory<byte> utf8, out string? error)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Refuse("a message must be a JSON object", out error);
            if (!root.TryGetProperty("messageType", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return Refuse("messageType is required", out error);
            }

            if (!type.ValueEquals("chatMessage")) return Refuse($"unknown messageType '{type.GetString()}'", out error);
            if (!root.TryGetProperty("comment", out var comment)) return Refuse("comment is required", out error);
            if (comment.ValueKind != JsonValueKind.String) return Refuse("comment must be a string", out error);
            var text = comment.GetString()!;
            var length = text.EnumerateRunes().Count();
            if (length is < 1 or > MaxCommentChars) return Refuse($"comment must be 1..{MaxCommentChars} characters", out error);
            if (text.Contains('\0')) return Refuse("comment must not contain U+0000", out error);
            error = null;
            return text;
        }
        catch (JsonException)
        {
            return Refuse("invalid JSON", out error);
        }
    }

    private static string? Refuse(string reason, out string? error)
    {
        error = reason;
        return null;
    }
}
