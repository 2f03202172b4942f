using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chat.LoadTests.Client;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// A raw TCP client for the soak's floods, which must misbehave in ways a well-formed client cannot: hold a slot with
/// a keep-alive request, stop in the middle of a request head, half-close, or send a frame header that announces more
/// than the server takes. It reads the server's answer as a status code, a close code or the end of the stream.
/// </summary>
internal sealed class SoakSocket : IDisposable
{
    private const int MaxServerFrame = 1 << 20;
    private readonly Socket _socket;
    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    private SoakSocket(Socket socket) => _socket = socket;

    public static async Task<SoakSocket> ConnectAsync(IPEndPoint server, CancellationToken cancellation)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, cancellation);
            return new SoakSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>A masked text frame header announcing <paramref name="length"/> payload bytes (64-bit length form), then <paramref name="sent"/> of them.</summary>
    public static byte[] OversizedFrame(long length, int sent)
    {
        var frame = new byte[14 + sent];
        frame[0] = 0x81;
        frame[1] = 0x80 | 127;
        BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)length);
        Random.Shared.NextBytes(frame.AsSpan(10, 4 + sent));
        return frame;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        while (data.Length > 0)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellation);
            data = data[sent..];
        }
    }

    /// <summary>Half-closes: the server sees the end of the stream while this side can still read.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>The status code of the next response head; null when the server closed (or reset) before a whole head.</summary>
    public async Task<int?> ReadStatusAsync(CancellationToken cancellation)
    {
        while (true)
        {
            var head = HandshakeCodec.HeadLength(_buffer.AsSpan(_start, _end - _start));
            if (head > 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, Math.Min(head, 12));
                _start += head;
                return line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(9, 3), out var status) ? status : 0;
            }

            if (!await FillAsync(cancellation)) return null;
        }
    }

    /// <summary>Skips any data frames up to the server's close frame and returns its status code; null when the stream ended without one.</summary>
    public async Task<int?> ReadCloseCodeAsync(CancellationToken cancellation)
    {
        while (true)
        {
            while (ServerFrameReader.TryRead(_buffer.AsSpan(_start, _end - _start), MaxServerFrame, out var frame))
            {
                if (frame.Opcode == 0x8)
                {
                    return frame.PayloadLength >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + frame.PayloadOffset)) : 1005;
                }

                _start += frame.TotalLength;
            }

            if (!await FillAsync(cancellation)) return null;
        }
    }

    /// <summary>Reads and discards until the server ends the stream; false when it is still open after <paramref name="within"/>.</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan within, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(within);
        try
        {
            while (true)
            {
                _start = _end = 0;
                if (!await FillAsync(timeout.Token)) return true;
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>False at the end of the stream; a reset counts as the end too (a server that closes at once may reset).</summary>
    private async Task<bool> FillAsync(CancellationToken cancellation)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        try
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellation);
            _end += read;
            return read > 0;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
