using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Chat.UnitTests.Faults;

/// <summary>
/// A pipelining HTTP client over a bare socket with a small receive buffer: writes many requests at once and reads the
/// answers back one by one (status, headers, Content-Length body), as a proxy that pipelines would. Every read has a
/// deadline.
/// </summary>
internal sealed class PipelinedReader : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private PipelinedReader(Socket socket) => _socket = socket;

    public static async Task<PipelinedReader> ConnectAsync(IPEndPoint server, int receiveBuffer)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = receiveBuffer, NoDelay = true };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(server, deadline.Token);
        return new PipelinedReader(socket);
    }

    /// <summary>Writes the requests concurrently with reading (the caller reads meanwhile), like a pipelining proxy.</summary>
    public async Task SendAsync(string requests, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        var bytes = Encoding.ASCII.GetBytes(requests).AsMemory();
        while (!bytes.IsEmpty) bytes = bytes[await _socket.SendAsync(bytes, SocketFlags.None, deadline.Token)..];
    }

    /// <summary>Reads one answer; null when the server closed the connection first.</summary>
    public async Task<(int Status, string Head, byte[] Body)?> ReadAnswerAsync(TimeSpan within, bool headOnly = false)
    {
        using var deadline = new CancellationTokenSource(within);
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await FillAsync(deadline.Token)) return null;
        }
        var head = Encoding.ASCII.GetString(_buffer, _start, headEnd);
        _start += headEnd + 4;
        var length = 0;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        if (headOnly) length = 0;
        var body = new byte[length];
        var copied = 0;
        while (copied < length)
        {
            if (_start == _end && !await FillAsync(deadline.Token)) return null;
            var n = Math.Min(length - copied, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(body.AsSpan(copied));
            _start += n;
            copied += n;
        }
        return (int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture), head, body);
    }

    private async Task<bool> FillAsync(CancellationToken cancellation)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        var n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellation);
        _end += n;
        return n > 0;
    }

    public void Dispose() => _socket.Dispose();
}
