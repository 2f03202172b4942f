using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Chat.Reactor.Epoll;

/// <summary>
/// The Linux backend: our own epoll event loops, one per core by default. Loop 0 also accepts (accept4, non-blocking)
/// and hands connections to the loops in turn.
/// </summary>
internal sealed partial class EpollTransport : ITransport
{
    private readonly ListenerSocket _listener;
    private readonly int _listenFd;
    private readonly ReactorOptions _options;
    private readonly ChannelWriter<TransportEvent> _events;
    private readonly EventLoop[] _loops;
    private readonly Action<EpollConnection> _onClosed;
    private readonly ConnectionTable _connections = new();
    private int _nextLoop;
    private int _accepting = 1;
    private int _disposing;

    public EpollTransport(IPEndPoint endPoint, ReactorOptions options, ChannelWriter<TransportEvent> events, ILogger<EpollTransport> logger)
    {
        _options = options;
        _events = events;
        _onClosed = Forget;
        _refusals = new AcceptRefusals(options, logger);
        _listener = ListenerSocket.Open(endPoint, options.Backlog, blocking: false);
        _listenFd = _listener.Descriptor;
        _loops = new EventLoop[options.EventLoops];
        for (var i = 0; i < _loops.Length; i++) _loops[i] = new EventLoop(i, events);
        _loops[0].OnAcceptable = AcceptAll;
        _resumeTimer = new Timer(static state => ((EpollTransport)state!).ResumeAccepting(), this, Timeout.Infinite, Timeout.Infinite);
    }

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public ReactorBackend Backend => ReactorBackend.Epoll;

    public int ConnectionCount => _connections.Count;

    public long RefusedCount => _refusals.Refused;

    public void Start()
    {
        foreach (var loop in _loops) loop.Start();
        _loops[0].WatchListener(_listenFd);
    }

    public void StopAccepting()
    {
        lock (_pauseGate)
        {
            if (Interlocked.Exchange(ref _accepting, 0) == 0) return;
            _loops[0].UnwatchListener(_listenFd);
            _listener.StopListening();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0) return;
        StopAccepting();
        await _resumeTimer.DisposeAsync().ConfigureAwait(false);
        await _connections.CloseAllAsync().ConfigureAwait(false);
        foreach (var loop in _loops)
        {
            loop.Stop();
            loop.Dispose();
        }
        _listener.Dispose();
        _events.TryComplete();
    }

    /// <summary>Loop 0: accepts until the backlog is empty, refusing past the cap and pausing when resources run out.</summary>
    private unsafe void AcceptAll()
    {
        var address = stackalloc byte[128];
        while (Volatile.Read(ref _accepting) == 1)
        {
            var length = 128;
            var fd = Libc.accept4(_listenFd, address, &length, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            if (fd < 0)
            {
                var errno = Libc.Errno;
                if (errno == Libc.EAGAIN) return;
                if (errno is Libc.EINTR or Libc.ECONNABORTED) continue;
                if (errno is Libc.EMFILE or Libc.ENFILE) ShedOne(address);
                PauseAccepting((SocketError)errno);
                return;
            }
            _listener.Backoff.Succeeded();
            var verdict = _refusals.Judge(fd, _connections.Count);
            if (verdict != AcceptVerdict.Admit)
            {
                Refuse(fd, verdict);
                continue;
            }
            var one = 1;
            Libc.setsockopt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, &one, sizeof(int));
            var loop = _loops[(uint)Interlocked.Increment(ref _nextLoop) % (uint)_loops.Length];
            var connection = new EpollConnection(_connections.NextId(), fd, PeerOf(address), _options, loop, _onClosed);
            _connections.Add(connection);
            connection.Adopt();
        }
    }

    private static unsafe IPEndPoint PeerOf(byte* address)
    {
        var family = *(ushort*)address;
        var port = BinaryPrimitives.ReverseEndianness(*(ushort*)(address + 2));
        if (family == Libc.AF_INET6) return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(address + 8, 16)), port);
        return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(address + 4, 4)), port);
    }

    private void Forget(EpollConnection connection)
    {
        _connections.Remove(connection);
        // A closed connection freed a descriptor: a paused accept can take the next peer now rather than at the timer.
        if (Volatile.Read(ref _paused)) ResumeAccepting();
    }
}
