using System.Buffers;
using System.Text;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// Parses a complete request head (RFC 9112 sections 2-5) into ranges over the head bytes: request line, then header
/// lines <c>token ":" OWS value OWS</c>. Lines end with LF, optionally preceded by CR. Strict where leniency opens
/// smuggling doors: whitespace before ':' and obs-fold are refused (sections 5.1, 5.2), as are duplicate Host and
/// conflicting Content-Length values.
/// </summary>
internal static partial class HttpHeadParser
{
    public const int MaxHeaders = 100;

    // RFC 9110 section 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // Field values allow HTAB, SP, VCHAR and obs-text (RFC 9110 section 5.5): every other control byte is refused.
    private static readonly SearchValues<byte> BadValueBytes = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F"u8
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"u8);

    /// <summary>
    /// head = the complete head including its blank line. On HasBody (and on None) result is fully filled; on other
    /// errors it holds what was parsed before the error. Never throws.
    /// </summary>
    public static HttpParseError Parse(ReadOnlySpan<byte> head, out HttpRequestHead result)
    {
        result = default;
        result.ContentLength = -1;
        int position = 0;

        // RFC 9112 section 2.2: a server should ignore at least one empty line before the request line.
        while (position < head.Length && (head[position] == '\r' || head[position] == '\n'))
        {
            position++;
        }

        if (!NextLine(head, ref position, out Range line))
        {
            return HttpParseError.BadRequestLine;
        }

        HttpParseError error = ParseRequestLine(head, line, ref result);
        if (error != HttpParseError.None)
        {
            return error;
        }

        int count = 0;
        while (true)
        {
            if (!NextLine(head, ref position, out line))
            {
                return HttpParseError.BadHeader;
            }

            if (head[line].IsEmpty)
            {
                break;
            }

            if (++count > MaxHeaders)
            {
                return HttpParseError.TooManyHeaders;
            }

            error = ParseHeaderLine(head, line, ref result);
            if (error != HttpParseError.None)
            {
                return error;
            }
        }

        if (result.VersionMinor >= 1 && !result.HasHost)
        {
            return HttpParseError.MissingHost;
        }

        return result.Chunked || result.ContentLength > 0 ? HttpParseError.HasBody : HttpParseError.None;
    }

    // The line starting at position without its CR LF or LF; false when no LF is left.
    private static bool NextLine(ReadOnlySpan<byte> head, ref int position, out Range line)
    {
        int lineFeed = head[position..].IndexOf((byte)'\n');
        if (lineFeed < 0)
        {
            line = default;
            return false;
        }

        int end = position + lineFeed;
        line = new Range(position, end > position && head[end - 1] == '\r' ? end - 1 : end);
        position = end + 1;
        return true;
    }

    private static HttpParseError ParseRequestLine(ReadOnlySpan<byte> head, Range line, ref HttpRequestHead result)
    {
        (int start, int length) = line.GetOffsetAndLength(head.Length);
        ReadOnlySpan<byte> text = head.Slice(start, length);
        int methodEnd = text.IndexOf((byte)' ');
        if (methodEnd <= 0 || text[..methodEnd].IndexOfAnyExcept(TokenChars) >= 0)
        {
            return HttpParseError.BadRequestLine;
        }

        int targetLength = text[(methodEnd + 1)..].IndexOf((byte)' ');
        if (targetLength <= 0)
        {
            return HttpParseError.BadRequestLine;
        }

        int targetStart = methodEnd + 1;
        int versionStart = targetStart + targetLength + 1;
        HttpParseError error = ParseVersion(text[versionStart..], ref result);
        if (error != HttpParseError.None)
        {
            return error;
        }

        result.MethodToken = new Range(start, start + methodEnd);
        result.Method = MethodOf(text[..methodEnd]);
        return ParseTarget(text.Slice(targetStart, targetLength), start + targetStart, ref result);
    }

    private static HttpParseError ParseVersion(ReadOnlySpan<byte> version, ref HttpRequestHead result)
    {
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5])
            || version[6] != '.' || !char.IsAsciiDigit((char)version[7]))
        {
            return HttpParseError.BadRequestLine;
        }

        if (version[5] != '1')
        {
            return HttpParseError.UnsupportedVersion;
        }

        result.VersionMinor = version[7] == '0' ? (byte)0 : (byte)1;
        return HttpParseError.None;
    }

    // Origin-form (/path?query); absolute-form (http://host/path?query, RFC 9112 section 3.2.2) keeps only its path.
    private static HttpParseError ParseTarget(ReadOnlySpan<byte> target, int offset, ref HttpRequestHead result)
    {
        if (target.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) >= 0)
        {
            return HttpParseError.BadRequestLine;
        }

        int pathStart = 0;
        if (target[0] != '/')
        {
            int authority = StartsWithIgnoreCase(target, "http://"u8) ? 7 : StartsWithIgnoreCase(target, "https://"u8) ? 8 : -1;
            int slash = authority < 0 ? -1 : target[authority..].IndexOfAny((byte)'/', (byte)'?');
            if (slash <= 0 || target[authority + slash] != '/')
            {
                return HttpParseError.BadRequestLine;
            }

            pathStart = authority + slash;
        }

        int question = target[pathStart..].IndexOf((byte)'?');
        int pathEnd = question < 0 ? target.Length : pathStart + question;
        result.Path = new Range(offset + pathStart, offset + pathEnd);
        result.Query = question < 0
            ? new Range(offset + target.Length, offset + target.Length)
            : new Range(offset + pathEnd + 1, offset + target.Length);
        return HttpParseError.None;
    }

    // Methods are case-sensitive (RFC 9110 section 9.1).
    private static HttpMethod MethodOf(ReadOnlySpan<byte> token) => token switch
    {
        _ when token.SequenceEqual("GET"u8) => HttpMethod.Get,
        _ when token.SequenceEqual("HEAD"u8) => HttpMethod.Head,
        _ when token.SequenceEqual("POST"u8) => HttpMethod.Post,
        _ when token.SequenceEqual("PUT"u8) => HttpMethod.Put,
        _ when token.SequenceEqual("DELETE"u8) => HttpMethod.Delete,
        _ when token.SequenceEqual("PATCH"u8) => HttpMethod.Patch,
        _ when token.SequenceEqual("OPTIONS"u8) => HttpMethod.Options,
        _ when token.SequenceEqual("TRACE"u8) => HttpMethod.Trace,
        _ when token.SequenceEqual("CONNECT"u8) => HttpMethod.Connect,
        _ => HttpMethod.Unknown,
    };

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);
}
