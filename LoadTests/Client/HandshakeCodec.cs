using System.Security.Cryptography;
using System.Text;

namespace Chat.LoadTests.Client;

/// <summary>The client side of the opening handshake (RFC 6455 section 4.1): the request and the check of the 101.</summary>
internal static class HandshakeCodec
{
    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <param name="deflate">Offer permessage-deflate as browsers do (RFC 7692).</param>
    public static byte[] Request(string host, string pathAndQuery, string key, bool deflate = false) =>
        Encoding.ASCII.GetBytes(
            $"GET {pathAndQuery} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n" +
            (deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "") + "\r\n");

    public static string ExpectedAccept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid)));

    /// <summary>The length of the response head including its blank line, or -1 while it is incomplete.</summary>
    public static int HeadLength(ReadOnlySpan<byte> input)
    {
        var end = input.IndexOf("\r\n\r\n"u8);
        return end < 0 ? -1 : end + 4;
    }

    /// <summary>Null when <paramref name="head"/> is a 101 with the right accept value; otherwise why not.</summary>
    public static string? Check(ReadOnlySpan<byte> head, string key)
    {
        var text = Encoding.ASCII.GetString(head);
        var lines = text.Split("\r\n");
        if (!lines[0].StartsWith("HTTP/1.1 101", StringComparison.Ordinal)) return $"handshake refused: {lines[0]}";
        var expected = ExpectedAccept(key);
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim() == expected ? null : "wrong Sec-WebSocket-Accept";
            }
        }

        return "no Sec-WebSocket-Accept";
    }
}
