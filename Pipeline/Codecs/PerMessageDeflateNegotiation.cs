using System.Text;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// Reads a Sec-WebSocket-Extensions offer and picks the first permessage-deflate offer the server can honour (RFC 7692
/// section 5): an offer with an unknown, repeated or malformed parameter is declined (section 7.1), never the handshake.
/// The answer always holds server_no_context_takeover (every receiver inflates the one compressed broadcast frame
/// without per-receiver state) and client_no_context_takeover (section 7.1.1.2 lets a server ask it unasked: one
/// inflater per stage then serves every connection, where context takeover would keep a 32 KiB window and zlib state,
/// some 40 KiB, per connection for its whole life).
/// </summary>
internal static class PerMessageDeflateNegotiation
{
    /// <summary>
    /// Upper bound of <see cref="WriteResponseHeader"/>: the 100 bytes of <see cref="ResponseStart"/>, 25 of
    /// <see cref="ServerWindow"/>, two digits and CRLF.
    /// </summary>
    public const int MaxResponseHeaderLength = 129;

    private static ReadOnlySpan<byte> Name => "permessage-deflate"u8;

    private static ReadOnlySpan<byte> ResponseStart =>
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover"u8;

    private static ReadOnlySpan<byte> ServerWindow => "; server_max_window_bits="u8;

    /// <summary>Picks the first acceptable permessage-deflate offer of the header value; default when there is none.</summary>
    public static PerMessageDeflateAgreement Negotiate(ReadOnlySpan<byte> offers)
    {
        foreach (var offer in offers.Split((byte)','))
        {
            if (TryAccept(offers[offer], out var agreement)) return agreement;
        }
        return default;
    }

    /// <summary>Writes the Sec-WebSocket-Extensions line (with CRLF) for an accepted agreement; returns its length.</summary>
    public static int WriteResponseHeader(in PerMessageDeflateAgreement agreement, Span<byte> destination)
    {
        ResponseStart.CopyTo(destination);
        var w = ResponseStart.Length;
        if (agreement.ServerMaxWindowBits != 0)
        {
            ServerWindow.CopyTo(destination[w..]);
            w += ServerWindow.Length;
            agreement.ServerMaxWindowBits.TryFormat(destination[w..], out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
            w += digits;
        }
        destination[w++] = (byte)'\r';
        destination[w++] = (byte)'\n';
        return w;
    }

    private static bool TryAccept(ReadOnlySpan<byte> offer, out PerMessageDeflateAgreement agreement)
    {
        agreement = default;
        var first = true;
        bool serverNoTakeover = false, clientNoTakeover = false, clientWindow = false;
        byte serverWindow = 0;
        foreach (var part in offer.Split((byte)';'))
        {
            var token = Trim(offer[part]);
            if (first)
            {
                if (!Ascii.EqualsIgnoreCase(token, Name)) return false;
                first = false;
                continue;
            }
            var equals = token.IndexOf((byte)'=');
            var name = equals < 0 ? token : Trim(token[..equals]);
            var value = equals < 0 ? default : Unquote(Trim(token[(equals + 1)..]));
            if (Ascii.EqualsIgnoreCase(name, "server_no_context_takeover"u8))
            {
                if (serverNoTakeover || equals >= 0) return false;
                serverNoTakeover = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "client_no_context_takeover"u8))
            {
                if (clientNoTakeover || equals >= 0) return false;
                clientNoTakeover = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "server_max_window_bits"u8))
            {
                // Section 7.1.2.1: a value is required, 8..15; the answer echoes it and the server keeps to it.
                if (serverWindow != 0 || !TryWindowBits(value, out serverWindow)) return false;
            }
            else if (Ascii.EqualsIgnoreCase(name, "client_max_window_bits"u8))
            {
                // Section 7.1.2.2: the value is optional; the server's inflater reads every window up to 15 bits, so
                // the answer leaves it out and the client keeps the window it offered.
                if (clientWindow || (equals >= 0 && !TryWindowBits(value, out _))) return false;
                clientWindow = true;
            }
            else
            {
                return false;
            }
        }
        if (first) return false;
        agreement = new PerMessageDeflateAgreement(serverWindow);
        return true;
    }

    // Section 7.1.2: 1*DIGIT from 8 to 15 with no leading zero, possibly as a quoted-string (RFC 6455 section 9.1).
    private static bool TryWindowBits(ReadOnlySpan<byte> value, out byte bits)
    {
        bits = 0;
        if (value.Length is < 1 or > 2 || value[0] == (byte)'0' || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0) return false;
        var n = value.Length == 1 ? value[0] - '0' : ((value[0] - '0') * 10) + (value[1] - '0');
        if (n is < 8 or > 15) return false;
        bits = (byte)n;
        return true;
    }

    private static ReadOnlySpan<byte> Unquote(ReadOnlySpan<byte> value) =>
        value.Length >= 2 && value[0] == (byte)'"' && value[^1] == (byte)'"' ? value[1..^1] : value;

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text) => text.Trim(" \t"u8);
}
