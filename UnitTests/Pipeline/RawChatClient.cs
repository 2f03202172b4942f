using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// A WebSocket client on a blocking socket that allocates nothing per message: it sends frames the caller encoded and
/// masked once, and counts the chat frames it receives in one fixed buffer, so that an allocation measurement around it
/// sees the server's allocations only.
/// </summary>
internal sealed class RawChatClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;

    private RawChatClient(Socket socket) => _socket = socket;

    /// <summary>Chat frames received compressed (RSV1, permessage-deflate), counted by <see cref="ReceiveChatMessages"/>.</summary>
    public long CompressedSeen { get; private set; }

    /// <summary>Connects and completes the opening handshake; throws unless the server answers 101.</summary>
    /// <param name="extraHeaders">Header lines (with CRLF) added to the upgrade request, such as an extension offer.</param>
    public static RawChatClient Connect(IPEndPoint endPoint, string extraHeaders = "")
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)Timeout.TotalMilliseconds,
            SendTimeout = (int)Timeout.TotalMilliseconds,
        };
        var client = new RawChatClient(socket);
        try
        {
            socket.Connect(endPoint);
            client.Send(Encoding.ASCII.GetBytes(
                $"GET /websocket HTTP/1.1\r\nHost: {endPoint}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n"));
            client.ReadHandshakeAnswer();
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public void Send(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty) bytes = bytes[_socket.Send(bytes)..];
    }

    /// <summary>
    /// Reads until <paramref name="count"/> chatMessage frames arrived; throws on any other data frame (an error frame
    /// says the server refused a message), on close, and when nothing arrives within the timeout.
    /// </summary>
    public void ReceiveChatMessages(int count)
    {
        var started = Stopwatch.GetTimestamp();
        var seen = 0;
        while (seen < count)
        {
            if (TryTakeFrame(out var opcode, out var payload))
            {
                // A compressed chat frame (RSV1) starts with its JSON head as a stored deflate block: 5 bytes, then text.
                if (opcode == 0x41 && payload.Length > 5 && payload[0] == 0 && payload[5..].StartsWith("{\"messageType\":\"chatMessage\""u8))
                {
                    seen++;
                    CompressedSeen++;
                }
                else if (opcode == 0x1 && payload.StartsWith("{\"messageType\":\"chatMessage\""u8)) seen++;
                else if (opcode is 0x1 or 0x41 or 0x8) throw new InvalidOperationException($"unexpected frame (opcode {opcode}): {Encoding.UTF8.GetString(payload)}");
                continue;
            }
            if (Stopwatch.GetElapsedTime(started) > Timeout) throw new TimeoutException($"{seen} of {count} chat messages arrived within {Timeout}");
            Fill();
        }
    }

    public void Dispose() => _socket.Dispose();

    private void ReadHandshakeAnswer()
    {
        while (true)
        {
            var received = _buffer.AsSpan(0, _end);
            var headEnd = received.IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0)
            {
                if (!received.StartsWith("HTTP/1.1 101 "u8)) throw new InvalidOperationException($"no 101: {Encoding.ASCII.GetString(received)}");
                _start = headEnd + 4;
                return;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _buffer.Length)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        var read = _socket.Receive(_buffer.AsSpan(_end));
        if (read == 0) throw new InvalidOperationException("the server closed the connection");
        _end += read;
    }

    // Server frames are never masked (RFC 6455 section 5.1): 2, 4 or 10 header bytes, then the payload.
    private bool TryTakeFrame(out int opcode, out ReadOnlySpan<byte> payload)
    {
        opcode = 0;
        payload = default;
        var available = _buffer.AsSpan(_start, _end - _start);
        if (available.Length < 2) return false;
        var length7 = available[1] & 0x7F;
        var header = length7 == 127 ? 10 : length7 == 126 ? 4 : 2;
        if (available.Length < header) return false;
        long length = length7 switch
        {
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(available[2..]),
            126 => BinaryPrimitives.ReadUInt16BigEndian(available[2..]),
            _ => length7,
        };
        if (available.Length < header + length) return false;
        // RSV1 stays in the opcode (0x41: compressed text) so that a compressed frame is never taken for a plain one.
        opcode = available[0] & 0x4F;
        payload = available.Slice(header, (int)length);
        _start += header + (int)length;
        return true;
    }
}
