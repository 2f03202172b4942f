namespace Chat.Pipeline.Codecs;

/// <summary>Writes HTTP/1.1 response heads (RFC 9110, RFC 9112 section 4) into the caller's buffer.</summary>
internal static class HttpResponseWriter
{
    private const int DateLength = 29;
    private const int MaxReasonLength = 31;
    private const int MaxDigits = 19;

    private static ReadOnlySpan<byte> DayNames => "SunMonTueWedThuFriSat"u8;

    private static ReadOnlySpan<byte> MonthNames => "JanFebMarAprMayJunJulAugSepOctNovDec"u8;

    /// <summary>
    /// Status line with the standard reason phrase, Date (IMF-fixdate), Server: chat, Content-Type (unless empty),
    /// Content-Length (not for 1xx and 204, RFC 9110 section 8.6), X-Content-Type-Options: nosniff, Connection: close
    /// when !keepAlive, extraHeaders verbatim (each "Name: value\r\n"), the blank line. Returns bytes written, or -1
    /// if destination is too small.
    /// </summary>
    public static int WriteHead(Span<byte> destination, int status, ReadOnlySpan<byte> contentType, long contentLength, bool keepAlive, ReadOnlySpan<byte> extraHeaders)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 999);
        ArgumentOutOfRangeException.ThrowIfNegative(contentLength);
        if (destination.Length < MaxHeadLength(contentType.Length, extraHeaders.Length))
        {
            return -1;
        }

        int w = Append(destination, 0, "HTTP/1.1 "u8);
        AsciiDigits.Write(destination, w, status, 3);
        destination[w + 3] = (byte)' ';
        w = Append(destination, w + 4, ReasonPhrase(status));
        w = Append(destination, w, "\r\nDate: "u8);
        w += WriteImfFixdate(DateTime.UtcNow, destination[w..]);
        w = Append(destination, w, "\r\nServer: chat\r\n"u8);
        if (!contentType.IsEmpty)
        {
            w = Append(destination, w, "Content-Type: "u8);
            w = Append(destination, w, contentType);
            w = Append(destination, w, "\r\n"u8);
        }

        if (status >= 200 && status != 204)
        {
            w = Append(destination, w, "Content-Length: "u8);
            contentLength.TryFormat(destination[w..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
            w = Append(destination, w + digits, "\r\n"u8);
        }

        w = Append(destination, w, "X-Content-Type-Options: nosniff\r\n"u8);
        if (!keepAlive)
        {
            w = Append(destination, w, "Connection: close\r\n"u8);
        }

        w = Append(destination, w, extraHeaders);
        return Append(destination, w, "\r\n"u8);
    }

    /// <summary>Upper bound of <see cref="WriteHead"/> for these lengths.</summary>
    public static int MaxHeadLength(int contentTypeLength, int extraHeadersLength) =>
        "HTTP/1.1 000 \r\n"u8.Length + MaxReasonLength
        + "Date: \r\n"u8.Length + DateLength
        + "Server: chat\r\n"u8.Length
        + "Content-Type: \r\n"u8.Length + contentTypeLength
        + "Content-Length: \r\n"u8.Length + MaxDigits
        + "X-Content-Type-Options: nosniff\r\n"u8.Length
        + "Connection: close\r\n"u8.Length
        + extraHeadersLength + 2;

    /// <summary>The RFC 9110 section 15 reason phrase, empty for codes the server does not use (allowed by RFC 9112 section 4).</summary>
    public static ReadOnlySpan<byte> ReasonPhrase(int status) => status switch
    {
        100 => "Continue"u8,
        101 => "Switching Protocols"u8,
        200 => "OK"u8,
        201 => "Created"u8,
        202 => "Accepted"u8,
        204 => "No Content"u8,
        301 => "Moved Permanently"u8,
        302 => "Found"u8,
        304 => "Not Modified"u8,
        307 => "Temporary Redirect"u8,
        308 => "Permanent Redirect"u8,
        400 => "Bad Request"u8,
        401 => "Unauthorized"u8,
        403 => "Forbidden"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        406 => "Not Acceptable"u8,
        408 => "Request Timeout"u8,
        409 => "Conflict"u8,
        411 => "Length Required"u8,
        413 => "Content Too Large"u8,
        414 => "URI Too Long"u8,
        415 => "Unsupported Media Type"u8,
        426 => "Upgrade Required"u8,
        429 => "Too Many Requests"u8,
        431 => "Request Header Fields Too Large"u8,
        500 => "Internal Server Error"u8,
        501 => "Not Implemented"u8,
        502 => "Bad Gateway"u8,
        503 => "Service Unavailable"u8,
        504 => "Gateway Timeout"u8,
        505 => "HTTP Version Not Supported"u8,
        _ => default,
    };

    // RFC 9110 section 5.6.7: Sun, 06 Nov 1994 08:49:37 GMT
    private static int WriteImfFixdate(DateTime utc, Span<byte> destination)
    {
        DayNames.Slice((int)utc.DayOfWeek * 3, 3).CopyTo(destination);
        destination[3] = (byte)',';
        destination[4] = (byte)' ';
        AsciiDigits.Write(destination, 5, utc.Day, 2);
        destination[7] = (byte)' ';
        MonthNames.Slice((utc.Month - 1) * 3, 3).CopyTo(destination[8..]);
        destination[11] = (byte)' ';
        AsciiDigits.Write(destination, 12, utc.Year, 4);
        destination[16] = (byte)' ';
        AsciiDigits.Write(destination, 17, utc.Hour, 2);
        destination[19] = (byte)':';
        AsciiDigits.Write(destination, 20, utc.Minute, 2);
        destination[22] = (byte)':';
        AsciiDigits.Write(destination, 23, utc.Second, 2);
        " GMT"u8.CopyTo(destination[25..]);
        return DateLength;
    }

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination[at..]);
        return at + text.Length;
    }
}
