using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Chat.UnitTests.Infrastructure;

/// <summary>
/// The one WebSocket test client, over a bare TCP socket (or TLS above it): writes exactly the bytes a case needs
/// (hand-built frames, broken requests, bad masks, one byte at a time) and reads exactly what the server sends, down to
/// its FIN. Every read has a deadline, so a silent server fails the case instead of hanging it.
/// </summary>
internal sealed partial class RawClient : IAsyncDisposable, IDisposable
{
    /// <summary>Generous, for a loaded 2-core box: a correct server answers in milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private const int MaxUnreadBytes = 16 << 20;

    private readonly Socket _socket;

    // One writer at a time, so that a reading task answering pings never splits a frame another task is sending.
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    private RawClient(Socket socket) => _socket = socket;

    /// <summary>Connects to <paramref name="endPoint"/>, from <paramref name="source"/> (e.g. 127.0.0.2) when given.</summary>
    /// <param name="receiveBuffer">SO_RCVBUF set before connecting, so that the TCP window stays that small.</param>
    public static Task<RawClient> ConnectAsync(IPEndPoint endPoint, IPAddress? source = null, int receiveBuffer = 0) =>
        ConnectAsync(endPoint, TlsServers.GetValueOrDefault(endPoint)?.ClientOptions(), source, receiveBuffer);

    private static async Task<RawClient> ConnectAsync(IPEndPoint endPoint, SslClientAuthenticationOptions? tls, IPAddress? source, int receiveBuffer)
    {
        var socket = NewSocket(source, receiveBuffer);
        try
        {
            using var deadline = new CancellationTokenSource(Timeout);
            await socket.ConnectAsync(endPoint, deadline.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var client = new RawClient(socket);
        if (tls is not null) await client.StartTlsAsync(tls);
        return client;
    }

    private static Socket NewSocket(IPAddress? source, int receiveBuffer)
    {
        // The timeouts bound the blocking calls of RawClient.Blocking.cs only; async calls carry their own deadlines.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)Timeout.TotalMilliseconds,
            SendTimeout = (int)Timeout.TotalMilliseconds,
        };
        if (receiveBuffer > 0) socket.ReceiveBufferSize = receiveBuffer;
        if (source is not null) socket.Bind(new IPEndPoint(source, 0));
        return socket;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? Timeout);
        await _sending.WaitAsync(deadline.Token);
        try
        {
            await SendCoreAsync(bytes, deadline.Token);
        }
        finally
        {
            _sending.Release();
        }
    }

    public Task SendAsync(string ascii, TimeSpan? within = null) => SendAsync(Encoding.ASCII.GetBytes(ascii), within);

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
        using var deadline = new CancellationTokenSource(Timeout);
        while (await FillAsync(required: false, deadline.Token))
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

    /// <summary>True when the server closed the connection (FIN or reset) within the time, discarding what it sent.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        try
        {
            do _start = _end = 0;
            while (await FillAsync(required: false, deadline.Token));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>True when the server sent nothing within <paramref name="quiet"/> and the connection is still open.</summary>
    public async Task<bool> IsSilentAsync(TimeSpan quiet)
    {
        if (_end > _start) return false;
        using var deadline = new CancellationTokenSource(quiet);
        try
        {
            await FillAsync(required: false, deadline.Token);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopCollectingAsync();
        await DisposeTlsAsync();
        _socket.Dispose();
        _sending.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Cuts the connection without a close handshake, as a network drop would; a pending read ends.</summary>
    public void Abort()
    {
        _eof = true;
        _socket.Dispose();
    }

    /// <summary>Waits until <paramref name="count"/> unread bytes are buffered; throws at FIN or past the deadline.</summary>
    private async Task NeedAsync(int count, CancellationToken deadline)
    {
        Assert.InRange(count, 0, _buffer.Length);
        if (_end - _start >= count) return;
        if (_buffer.Length - _start < count)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < count) await FillAsync(required: true, deadline);
    }

    /// <summary>Reads more bytes into the buffer; false at FIN or reset (throws instead when <paramref name="required"/>).</summary>
    private async Task<bool> FillAsync(bool required, CancellationToken deadline)
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
            try
            {
                read = await ReceiveCoreAsync(_buffer.AsMemory(_end), deadline);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException("the server sent nothing and did not close in time");
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

    /// <summary>What is left until <paramref name="deadline"/>: zero once it passed, so the next read that waits times out.</summary>
    private static TimeSpan Remaining(DateTime deadline) => deadline > DateTime.UtcNow ? deadline - DateTime.UtcNow : TimeSpan.Zero;

    private static string Describe(byte[] bytes) =>
        Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 64)));
}
