using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace Chat.Pipeline.Codecs;

/// <summary>Parses the client's <c>{"messageType":"chatMessage","comment":"..."}</c> with <see cref="Utf8JsonReader"/>.</summary>
internal static class ClientMessageParser
{
    private static LengthReason? s_lengthReason;

    /// <summary>
    /// Parses one message (UTF-8, already validated) and unescapes its comment into commentDestination, which must be
    /// at least json.Length long. The whole document must be valid JSON, else InvalidJson, whatever else is wrong.
    /// Duplicate properties: the last one wins. The comment must hold 1..maxCommentChars Unicode scalar values and no
    /// U+0000 (PostgreSQL text cannot store it).
    /// </summary>
    public static ClientMessageError Parse(ReadOnlySpan<byte> json, Span<byte> commentDestination, int maxCommentChars, out int commentLength)
    {
        commentLength = 0;
        try
        {
            return ParseDocument(json, commentDestination, maxCommentChars, ref commentLength);
        }
        catch (JsonException)
        {
            commentLength = 0;
            return ClientMessageError.InvalidJson;
        }
        catch (InvalidOperationException)
        {
            // Unescaping a lone surrogate (\ud800) fails only when the string is copied out.
            commentLength = 0;
            return ClientMessageError.InvalidJson;
        }
    }

    /// <summary>A fixed human-readable reason per error, cached per maxCommentChars for the length rule.</summary>
    public static string Describe(ClientMessageError error, int maxCommentChars) => error switch
    {
        ClientMessageError.None => "ok",
        ClientMessageError.InvalidJson => "message is not valid JSON",
        ClientMessageError.NotAnObject => "message must be a JSON object",
        ClientMessageError.MissingMessageType => "messageType is missing",
        ClientMessageError.UnknownMessageType => "messageType must be \"chatMessage\", \"webRTC-offer\", \"webRTC-answer\" or \"webRTC-candidate\"",
        ClientMessageError.MissingComment => "comment is missing",
        ClientMessageError.CommentNotString => "comment must be a string",
        ClientMessageError.EmptyComment or ClientMessageError.CommentTooLong => LengthRule(maxCommentChars),
        ClientMessageError.CommentHasNul => "comment must not contain U+0000",
        _ => "message is not valid",
    };

    private static ClientMessageError ParseDocument(ReadOnlySpan<byte> json, Span<byte> destination, int maxCommentChars, ref int commentLength)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            ReadToEnd(ref reader);
            return ClientMessageError.NotAnObject;
        }

        bool hasType = false, typeOk = false, hasComment = false, commentIsString = false, commentFits = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("messageType"u8))
            {
                reader.Read();
                hasType = true;
                typeOk = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("chatMessage"u8);
            }
            else if (reader.ValueTextEquals("comment"u8))
            {
                reader.Read();
                hasComment = true;
                commentIsString = reader.TokenType == JsonTokenType.String;
                commentLength = 0;
                // Unescaped text is never longer than the raw token, so this holds whenever the contract does.
                commentFits = !commentIsString || reader.ValueSpan.Length <= destination.Length;
                if (commentIsString && commentFits)
                {
                    commentLength = reader.CopyString(destination);
                }
            }
            else
            {
                reader.Read();
            }

            reader.Skip();
        }

        ReadToEnd(ref reader);
        ClientMessageError error = Check(hasType, typeOk, hasComment, commentIsString, commentFits, destination[..commentLength], maxCommentChars);
        if (error != ClientMessageError.None)
        {
            commentLength = 0;
        }

        return error;
    }

    private static ClientMessageError Check(bool hasType, bool typeOk, bool hasComment, bool commentIsString, bool commentFits,
        ReadOnlySpan<byte> comment, int maxCommentChars)
    {
        if (!hasType)
        {
            return ClientMessageError.MissingMessageType;
        }

        if (!typeOk)
        {
            return ClientMessageError.UnknownMessageType;
        }

        if (!hasComment)
        {
            return ClientMessageError.MissingComment;
        }

        if (!commentIsString)
        {
            return ClientMessageError.CommentNotString;
        }

        if (!commentFits)
        {
            return ClientMessageError.CommentTooLong;
        }

        if (comment.IsEmpty)
        {
            return ClientMessageError.EmptyComment;
        }

        if (comment.Length > maxCommentChars && CountRunes(comment) > maxCommentChars)
        {
            return ClientMessageError.CommentTooLong;
        }

        return comment.Contains((byte)0) ? ClientMessageError.CommentHasNul : ClientMessageError.None;
    }

    // Trailing content after the top-level value makes the reader throw here (isFinalBlock).
    private static void ReadToEnd(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }

    // Runes in valid UTF-8 = bytes that are not continuation bytes (10xxxxxx, which as sbyte are < -64).
    private static int CountRunes(ReadOnlySpan<byte> utf8)
    {
        int continuation = 0;
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var limit = Vector128.Create((sbyte)-64);
            for (; i <= utf8.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var v = Vector128.Create(utf8.Slice(i, Vector128<byte>.Count)).AsSByte();
                continuation += BitOperations.PopCount(Vector128.LessThan(v, limit).ExtractMostSignificantBits());
            }
        }

        for (; i < utf8.Length; i++)
        {
            if ((utf8[i] & 0xC0) == 0x80)
            {
                continuation++;
            }
        }

        return utf8.Length - continuation;
    }

    private static string LengthRule(int maxCommentChars)
    {
        LengthReason? cached = s_lengthReason;
        if (cached is null || cached.Max != maxCommentChars)
        {
            cached = new LengthReason(maxCommentChars, $"comment must be 1..{maxCommentChars} characters");
            s_lengthReason = cached;
        }

        return cached.Text;
    }

    private sealed record LengthReason(int Max, string Text);
}
