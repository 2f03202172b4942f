using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// A test client over a bare TCP socket: writes exactly the bytes a case needs (hand-built frames, broken requests) and
/// reads exactly what the server sends, down to its FIN. Every read has a deadline, so a silent server fails the case
/// instead of hanging it.
/// </summary>
internal sealed partial class RawClient : IAsyncDisposable
{
    /// <summary>Generous, for a loaded 2-core box: a correct server answers in milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private const int MaxUnreadBytes = 16 << 20;

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    private RawClient(Socket socket) => _socket = socket;

    /// <param name="receiveBuffer">
    /// The socket's receive buffer, set before connecting so that it bounds the TCP window: a small one, with a client
    /// that does not read, makes the server's send queue grow. 0 keeps the OS default.
    /// </param>
    public static async Task<RawClient> ConnectAsync(IPEndPoint endPoint, int receiveBuffer = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer > 0) socket.ReceiveBufferSize = receiveBuffer;
        using var deadline = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(endPoint, deadline.Token);
        var client = new RawClient(socket);
        await client.StartTlsAsync(endPoint);
        return client;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        await SendCoreAsync(bytes, deadline.Token);
    }

    public Task SendAsync(string ascii) => SendAsync(Encoding.ASCII.GetBytes(ascii));

    /// <summary>
    /// One byte per write (NoDelay is on), so the server sees the input arrive in as many reads as it can (over TLS, one
    /// record per byte: the server's decrypted reads are one byte each).
    /// </summary>
    public async Task SendByteByByteAsync(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++) await SendAsync(bytes.AsMemory(i, 1));
    }

    /// <summary>Half-closes our side (FIN), as a client that is done sending (over TLS too: a TCP FIN, no close_notify).</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Asserts that the server sends nothing more and closes its side: the next read sees FIN (or a reset).</summary>
    public async Task AssertClosedByServerAsync()
    {
        var extra = await ReadUntilClosedAsync();
        Assert.True(extra.Length == 0, $"expected the server to close without sending more, got {extra.Length} bytes: {Describe(extra)}");
    }

    /// <summary>Reads everything until the server closes; fails when it does not close in time or keeps sending.</summary>
    public async Task<byte[]> ReadUntilClosedAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var rest = new MemoryStream();
        rest.Write(_buffer, _start, _end - _start);
        _start = _end = 0;
        while (await FillAsync(required: false))
        {
            rest.Write(_buffer, _start, _end - _start);
            _start = _end = 0;
            if (started.Elapsed > Timeout || rest.Length > MaxUnreadBytes)
            {
                throw new TimeoutException($"the server sent {rest.Length} bytes and did not close within {Timeout.TotalSeconds} s");
            }
        }
        return rest.ToArray();
    }

    /// <summary>True when the server sent nothing within <paramref name="quiet"/> and the connection is still open.</summary>
    public async Task<bool> IsSilentAsync(TimeSpan quiet)
    {
        if (_end > _start) return false;
        using var deadline = new CancellationTokenSource(quiet);
        try
        {
            var read = await ReceiveCoreAsync(_buffer.AsMemory(_end), deadline.Token);
            _end += read;
            _eof |= read == 0;
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeTlsAsync();
        _socket.Dispose();
    }

    private async Task<byte> ReadByteAsync()
    {
        if (_start == _end) await FillAsync(required: true);
        return _buffer[_start++];
    }

    private async Task ReadExactlyAsync(Memory<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            if (_start == _end) await FillAsync(required: true);
            var take = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, take).CopyTo(destination);
            _start += take;
            destination = destination[take..];
        }
    }

    /// <summary>Reads more bytes into the buffer; false at FIN or reset (throws instead when <paramref name="required"/>).</summary>
    private async Task<bool> FillAsync(bool required)
    {
        if (_start == _end) _start = _end = 0;
        if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        int read;
        if (_eof) read = 0;
        else
        {
            using var deadline = new CancellationTokenSource(Timeout);
            try
            {
                read = await ReceiveCoreAsync(_buffer.AsMemory(_end), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the server sent nothing and did not close within {Timeout.TotalSeconds} s");
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                read = 0;
            }
        }
        if (read == 0)
        {
            _eof = true;
            if (required) throw new EndOfStreamException("the server closed the connection");
            return false;
        }
        _end += read;
        return true;
    }

    private static string Describe(byte[] bytes) =>
        Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 64)));
}
