using System.Text;

namespace Chat.Pipeline.Codecs;

/// <summary>Header lines and the headers the server acts on.</summary>
internal static partial class HttpHeadParser
{
    private const int MaxContentLengthDigits = 18;

    private static HttpParseError ParseHeaderLine(ReadOnlySpan<byte> head, Range line, ref HttpRequestHead result)
    {
        (int start, int length) = line.GetOffsetAndLength(head.Length);
        ReadOnlySpan<byte> text = head.Slice(start, length);
        int colon = text.IndexOf((byte)':');

        // A name that is not a token catches obs-fold (leading SP/HTAB) and whitespace before the colon alike.
        if (colon <= 0 || text[..colon].IndexOfAnyExcept(TokenChars) >= 0)
        {
            return HttpParseError.BadHeader;
        }

        int valueStart = colon + 1;
        int valueEnd = text.Length;
        while (valueStart < valueEnd && IsOws(text[valueStart]))
        {
            valueStart++;
        }

        while (valueEnd > valueStart && IsOws(text[valueEnd - 1]))
        {
            valueEnd--;
        }

        ReadOnlySpan<byte> value = text[valueStart..valueEnd];
        if (value.IndexOfAny(BadValueBytes) >= 0)
        {
            return HttpParseError.BadHeader;
        }

        var valueRange = new Range(start + valueStart, start + valueEnd);
        return ApplyHeader(text[..colon], value, valueRange, ref result);
    }

    private static HttpParseError ApplyHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, Range range, ref HttpRequestHead result)
    {
        if (Ascii.EqualsIgnoreCase(name, "host"u8))
        {
            // RFC 9112 section 3.2: more than one Host header gets a 400.
            if (result.HasHost)
            {
                return HttpParseError.BadHeader;
            }

            result.Host = range;
            result.HasHost = true;
        }
        else if (Ascii.EqualsIgnoreCase(name, "upgrade"u8))
        {
            if (!result.HasUpgrade)
            {
                result.Upgrade = range;
                result.HasUpgrade = true;
            }

            result.UpgradeWebSocket |= HasToken(value, "websocket"u8);
        }
        else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
        {
            if (!result.HasConnection)
            {
                result.Connection = range;
                result.HasConnection = true;
            }

            result.ConnectionUpgrade |= HasToken(value, "upgrade"u8);
            result.ConnectionClose |= HasToken(value, "close"u8);
            result.ConnectionKeepAlive |= HasToken(value, "keep-alive"u8);
        }
        else if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
        {
            return ApplyContentLength(value, ref result);
        }
        else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
        {
            result.Chunked = true;
        }
        else if (Ascii.EqualsIgnoreCase(name, "sec-websocket-key"u8))
        {
            // RFC 6455 section 11.3.1: must not appear more than once in a request.
            if (result.HasSecWebSocketKey)
            {
                return HttpParseError.BadHeader;
            }

            result.SecWebSocketKey = range;
            result.HasSecWebSocketKey = true;
        }
        else if (Ascii.EqualsIgnoreCase(name, "sec-websocket-version"u8))
        {
            if (result.HasSecWebSocketVersion)
            {
                return HttpParseError.BadHeader;
            }

            result.SecWebSocketVersion = range;
            result.HasSecWebSocketVersion = true;
        }
        else if (Ascii.EqualsIgnoreCase(name, "sec-websocket-extensions"u8) && !result.HasSecWebSocketExtensions)
        {
            result.SecWebSocketExtensions = range;
            result.HasSecWebSocketExtensions = true;
        }
        else if (Ascii.EqualsIgnoreCase(name, "origin"u8) && !result.HasOrigin)
        {
            result.Origin = range;
            result.HasOrigin = true;
        }

        return HttpParseError.None;
    }

    // RFC 9110 section 8.6: 1*DIGIT; a list of identical values ("5, 5") may be taken as that value, different
    // values (in one header or across several) are an unrecoverable framing error.
    private static HttpParseError ApplyContentLength(ReadOnlySpan<byte> value, ref HttpRequestHead result)
    {
        foreach (Range part in value.Split((byte)','))
        {
            ReadOnlySpan<byte> digits = TrimOws(value[part]);
            if (digits.IsEmpty || digits.Length > MaxContentLengthDigits || digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            {
                return HttpParseError.BadHeader;
            }

            long length = 0;
            foreach (byte d in digits)
            {
                length = (length * 10) + (d - '0');
            }

            if (result.ContentLength >= 0 && result.ContentLength != length)
            {
                return HttpParseError.ConflictingContentLength;
            }

            result.ContentLength = length;
        }

        return HttpParseError.None;
    }

    private static bool HasToken(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        foreach (Range part in list.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(TrimOws(list[part]), token))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> text)
    {
        int start = 0;
        int end = text.Length;
        while (start < end && IsOws(text[start]))
        {
            start++;
        }

        while (end > start && IsOws(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }

    private static bool IsOws(byte b) => b == ' ' || b == '\t';
}
