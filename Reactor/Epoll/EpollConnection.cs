using System.Net;

namespace Chat.Reactor.Epoll;

/// <summary>
/// A connection on an epoll loop. Reads, writes and the final close happen on the loop thread only; other threads
/// set work flags and post the connection to its loop.
/// </summary>
internal sealed unsafe partial class EpollConnection : Connection
{
    private const int WorkFlush = 1, WorkResume = 2, WorkAbort = 4, WorkRegister = 8;
    // Reads per readiness before yielding to the other connections of the loop (fairness under load).
    private const int ReadBudget = 16;

    private readonly EventLoop _loop;
    private readonly Action<EpollConnection> _onClosed;
    private int _work;
    private volatile bool _readPaused;
    private bool _readable;
    private bool _writable;
    private bool _peerClosed;
    private bool _torndown;
    private bool _closedPending;
    private TransportEvent _pending;
    private bool _hasPending;

    public EpollConnection(long id, int fd, IPEndPoint remote, ReactorOptions options, EventLoop loop, Action<EpollConnection> onClosed)
        : base(id, remote, options)
    {
        Fd = fd;
        _loop = loop;
        _onClosed = onClosed;
    }

    public int Fd { get; }

    /// <summary>Hands the connection to its loop: it registers with epoll and reports Opened there.</summary>
    public void Adopt() => PostWork(WorkRegister);

    public override void Abort() => PostWork(WorkAbort);

    private protected override void PauseReadingCore() => _readPaused = true;

    public override void ResumeReading()
    {
        if (!_readPaused) return;
        _readPaused = false;
        PostWork(WorkResume);
    }

    private protected override void ScheduleFlush() => PostWork(WorkFlush);

    private protected override void ShutdownSend() => Libc.shutdown(Fd, Libc.SHUT_WR);

    private void PostWork(int flag)
    {
        if (Interlocked.Or(ref _work, flag) == 0) _loop.Post(this);
    }

    /// <summary>Loop thread: runs the work other threads asked for.</summary>
    internal void DoWork()
    {
        var work = Interlocked.Exchange(ref _work, 0);
        if (_torndown) return;
        if ((work & WorkRegister) != 0)
        {
            _readable = true;
            _writable = true;
            Deliver(TransportEvent.Opened(this));
            _loop.Register(this);
        }
        if ((work & WorkAbort) != 0)
        {
            var linger = new Libc.Linger { OnOff = 1, Seconds = 0 };
            Libc.setsockopt(Fd, Libc.SOL_SOCKET, Libc.SO_LINGER, &linger, sizeof(Libc.Linger));
            Teardown();
            return;
        }
        if ((work & WorkFlush) != 0 && _writable) FlushOrCork();
        if ((work & WorkResume) != 0) OnReadable();
    }

    /// <summary>Loop thread: closes the socket once and reports Closed after any event still waiting for the channel.</summary>
    internal void Teardown()
    {
        if (_torndown) return;
        _torndown = true;
        MarkClosing();
        Libc.close(Fd);
        _loop.Forget(this);
        MarkClosed();
        _closedPending = true;
        // With an event already waiting, the connection is queued for the channel and Closed follows that event.
        if (!_hasPending && !TryDeliverPending()) _loop.WaitForChannel(this);
    }

    /// <summary>Loop thread: writes what waits for the channel, in order; true when nothing of this connection waits.</summary>
    internal bool TryDeliverPending()
    {
        if (_hasPending)
        {
            if (!_loop.Events.TryWrite(_pending)) return false;
            _hasPending = false;
            _pending = default;
        }
        if (_closedPending)
        {
            if (!_loop.Events.TryWrite(TransportEvent.Closed(this))) return false;
            _closedPending = false;
            _onClosed(this);
        }
        return true;
    }

    private void Deliver(in TransportEvent ev)
    {
        if (_loop.Events.TryWrite(ev)) return;
        _pending = ev;
        _hasPending = true;
        _loop.WaitForChannel(this);
    }
}
