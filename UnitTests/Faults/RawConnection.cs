using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Chat.UnitTests.Faults;

/// <summary>
/// A bare TCP connection to the server for attacks a real client library refuses to make: partial heads, hand-built
/// frames, never reading. Every read has a deadline.
/// </summary>
internal sealed class RawConnection : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawConnection(Socket socket) => _socket = socket;

    /// <summary>Connects to <paramref name="server"/>, from <paramref name="source"/> (e.g. 127.0.0.2) when given.</summary>
    /// <param name="receiveBuffer">SO_RCVBUF set before connecting, so that the TCP window stays that small.</param>
    public static async Task<RawConnection> OpenAsync(IPEndPoint server, IPAddress? source = null, int receiveBuffer = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (receiveBuffer > 0) socket.ReceiveBufferSize = receiveBuffer;
            if (source is not null) socket.Bind(new IPEndPoint(source, 0));
            using var timeout = new CancellationTokenSource(DefaultTimeout);
            await socket.ConnectAsync(server, timeout.Token);
            return new RawConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            bytes = bytes[sent..];
        }
    }

    public Task SendAsync(string ascii) => SendAsync(Encoding.ASCII.GetBytes(ascii));

    /// <summary>Sends a WebSocket upgrade request and returns the status code of the answer (its head is consumed).</summary>
    public async Task<int> UpgradeAsync(string query = "", string extraHeaders = "")
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await SendAsync($"GET /websocket{(query.Length > 0 ? "?" + query : "")} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + $"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n");
        return StatusOf(await ReadHeadAsync());
    }

    /// <summary>Reads one HTTP response head (up to the blank line) as text; skips no body.</summary>
    public async Task<string> ReadHeadAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? DefaultTimeout);
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(_buffer, _start, end + 4);
                _start += end + 4;
                return head;
            }
            if (!await FillAsync(timeout.Token)) throw new EndOfStreamException($"closed before a complete response head: '{Encoding.ASCII.GetString(_buffer, _start, _end - _start)}'");
        }
    }

    public static int StatusOf(string head) => int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The next server frame (server frames are never masked).</summary>
    public async Task<(int Opcode, byte[] Payload)> ReadFrameAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? DefaultTimeout);
        await NeedAsync(2, timeout.Token);
        var opcode = _buffer[_start] & 0x0F;
        long length = _buffer[_start + 1] & 0x7F;
        var header = 2;
        if (length == 126)
        {
            await NeedAsync(4, timeout.Token);
            length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2));
            header = 4;
        }
        else if (length == 127)
        {
            await NeedAsync(10, timeout.Token);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 2));
            header = 10;
        }
        if (header + length > _buffer.Length) throw new InvalidDataException($"server frame of {length} bytes is larger than this test reads");
        await NeedAsync(header + (int)length, timeout.Token);
        var payload = _buffer.AsSpan(_start + header, (int)length).ToArray();
        _start += header + (int)length;
        return (opcode, payload);
    }

    /// <summary>Reads frames until a close frame and returns its status code (0 when it has none).</summary>
    public async Task<int> ReadCloseCodeAsync(TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultTimeout);
        for (var frames = 0; frames < 100_000; frames++)
        {
            var (opcode, payload) = await ReadFrameAsync(deadline - DateTime.UtcNow);
            if (opcode == 0x8) return payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 0;
        }
        throw new InvalidDataException("no close frame among 100000 frames");
    }

    /// <summary>True when the server closed the connection (EOF or reset) within the time, discarding what it sent.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                _start = _end = 0;
                if (!await FillAsync(timeout.Token)) return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>A masked client frame (RFC 6455 section 5.2) with the shortest length form.</summary>
    public static byte[] ClientFrame(int opcode, ReadOnlySpan<byte> payload, bool fin = true)
    {
        var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[header + 4 + payload.Length];
        frame[0] = (byte)((fin ? 0x80 : 0) | opcode);
        if (header == 2) frame[1] = (byte)(0x80 | payload.Length);
        else if (header == 4)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }
        var mask = RandomNumberGenerator.GetBytes(4);
        mask.CopyTo(frame, header);
        for (var i = 0; i < payload.Length; i++) frame[header + 4 + i] = (byte)(payload[i] ^ mask[i % 4]);
        return frame;
    }

    /// <summary>Only the header of a masked frame that declares a 64-bit payload length, and its mask key.</summary>
    public static byte[] ClientFrameHeader(int opcode, ulong declaredLength)
    {
        var header = new byte[14];
        header[0] = (byte)(0x80 | opcode);
        header[1] = 0x80 | 127;
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), declaredLength);
        return header;
    }

    public void Dispose() => _socket.Dispose();

    private async Task NeedAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync(cancellationToken)) throw new EndOfStreamException("the server closed the connection mid-frame");
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += read;
        return read > 0;
    }
}
