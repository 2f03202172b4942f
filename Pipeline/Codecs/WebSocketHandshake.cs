using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Chat.Pipeline.Codecs;

/// <summary>The server side of the opening handshake (RFC 6455 section 4.2): checks the request, builds the 101.</summary>
internal static class WebSocketHandshake
{
    public const int AcceptLength = 28;

    /// <summary>The longest 101 answer <see cref="WriteSwitchingProtocols"/> writes (162 bytes without extensions).</summary>
    public const int MaxSwitchingProtocolsLength = 162 + PerMessageDeflateNegotiation.MaxResponseHeaderLength;

    private const int KeyLength = 24;
    private const int KeyBytes = 16;

    private static ReadOnlySpan<byte> Guid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    private static ReadOnlySpan<byte> ResponseStart =>
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "u8;

    private static ReadOnlySpan<byte> ResponseEnd => "X-Content-Type-Options: nosniff\r\n\r\n"u8;

    /// <summary>
    /// Checks, in this order: GET, HTTP/1.1, Upgrade: websocket, Connection: upgrade, Sec-WebSocket-Version: 13
    /// (exactly), Sec-WebSocket-Key present and the base64 of exactly 16 bytes (24 chars).
    /// </summary>
    public static HandshakeError Validate(in HttpRequestHead request, ReadOnlySpan<byte> head)
    {
        if (request.Method != HttpMethod.Get)
        {
            return HandshakeError.NotGet;
        }

        if (request.VersionMinor < 1)
        {
            return HandshakeError.NotHttp11;
        }

        if (!request.UpgradeWebSocket)
        {
            return HandshakeError.MissingUpgrade;
        }

        if (!request.ConnectionUpgrade)
        {
            return HandshakeError.MissingConnectionUpgrade;
        }

        if (!request.HasSecWebSocketVersion || !head[request.SecWebSocketVersion].SequenceEqual("13"u8))
        {
            return HandshakeError.BadVersion;
        }

        if (!request.HasSecWebSocketKey)
        {
            return HandshakeError.MissingKey;
        }

        return IsValidKey(head[request.SecWebSocketKey]) ? HandshakeError.None : HandshakeError.BadKey;
    }

    /// <summary>base64(SHA-1(key + GUID)) into accept (28 bytes); key is the validated 24-byte key.</summary>
    public static void ComputeAccept(ReadOnlySpan<byte> key, Span<byte> accept)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(key.Length, KeyLength);
        Span<byte> input = stackalloc byte[KeyLength + 36];
        key.CopyTo(input);
        Guid.CopyTo(input[KeyLength..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        Base64.EncodeToUtf8(hash, accept, out _, out _);
    }

    /// <summary>
    /// Writes the 101 answer (no Content-Length on a 1xx, RFC 9110 section 8.6), with the Sec-WebSocket-Extensions line
    /// of an accepted permessage-deflate; returns bytes written.
    /// </summary>
    public static int WriteSwitchingProtocols(ReadOnlySpan<byte> key, Span<byte> destination, in PerMessageDeflateAgreement deflate = default)
    {
        ResponseStart.CopyTo(destination);
        int w = ResponseStart.Length;
        ComputeAccept(key, destination.Slice(w, AcceptLength));
        w += AcceptLength;
        destination[w++] = (byte)'\r';
        destination[w++] = (byte)'\n';
        if (deflate.Accepted) w += PerMessageDeflateNegotiation.WriteResponseHeader(deflate, destination[w..]);
        ResponseEnd.CopyTo(destination[w..]);
        return w + ResponseEnd.Length;
    }

    private static bool IsValidKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[18];
        return Base64.DecodeFromUtf8(key, decoded, out _, out int written) == OperationStatus.Done && written == KeyBytes;
    }
}
