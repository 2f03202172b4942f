using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Chat.UnitTests.Infrastructure;

/// <summary>
/// Blocking calls that allocate nothing per message, for measurements of the server's allocations: the socket never
/// runs an async operation (on Unix that would make every later blocking call allocate), frames are encoded by the
/// caller once, and chat frames are counted in the fixed read buffer. Plain TCP only.
/// </summary>
internal sealed partial class RawClient
{
    /// <summary>Connects and completes the opening handshake (with <paramref name="query"/>, e.g. <c>room=a</c>) with blocking calls only.</summary>
    public static RawClient OpenWebSocket(IPEndPoint endPoint, string query = "")
    {
        var client = new RawClient(NewSocket(source: null, receiveBuffer: 0));
        try
        {
            client._socket.Connect(endPoint);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            client.Send(Encoding.ASCII.GetBytes(UpgradeRequest(query, key)));
            var head = client.ReceiveHead();
            Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", head);
            Assert.Contains($"\r\nSec-WebSocket-Accept: {ExpectedAccept(key)}\r\n", head);
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
                if (opcode == 0x1 && payload.StartsWith("{\"messageType\":\"chatMessage\""u8)) seen++;
                else if (opcode is 0x1 or 0x8) throw new InvalidOperationException($"unexpected frame (opcode {opcode}): {Encoding.UTF8.GetString(payload)}");
                continue;
            }
            if (Stopwatch.GetElapsedTime(started) > Timeout) throw new TimeoutException($"{seen} of {count} chat messages arrived within {Timeout}");
            Receive();
        }
    }

    private string ReceiveHead()
    {
        while (true)
        {
            var headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0)
            {
                var head = Encoding.ASCII.GetString(_buffer, _start, headEnd + 4);
                _start += headEnd + 4;
                return head;
            }
            Receive();
        }
    }

    private void Receive()
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _buffer.Length)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        var read = _socket.Receive(_buffer.AsSpan(_end));
        if (read == 0) throw new EndOfStreamException("the server closed the connection");
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
        opcode = available[0] & 0x0F;
        payload = available.Slice(header, (int)length);
        _start += header + (int)length;
        return true;
    }
}
