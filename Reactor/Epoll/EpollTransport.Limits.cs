using System.Net.Sockets;

namespace Chat.Reactor.Epoll;

/// <summary>What the accept path does at the machine's limits: the connection cap, EMFILE and its kin.</summary>
internal sealed partial class EpollTransport
{
    private readonly Timer _resumeTimer;
    private readonly Lock _pauseGate = new();
    private readonly AcceptBackoff _backoff = new();
    private readonly SpareDescriptor _spare = new();
    private readonly LogLimiter _acceptFailures = new();
    private readonly LogLimiter _refusals = new();
    private readonly LogLimiter _headroomRefusals = new();
    private bool _paused;

    private void RefuseAtCap(int fd)
    {
        Refuse(fd);
        if (_refusals.TryAcquire(out var suppressed)) ReactorLog.Refused(_logger, Volatile.Read(ref _open), _options.MaxConnections, suppressed);
    }

    private void RefuseInHeadroom(int fd)
    {
        Refuse(fd);
        if (_headroomRefusals.TryAcquire(out var suppressed)) ReactorLog.RefusedInHeadroom(_logger, fd, DescriptorBudget.Headroom, suppressed);
    }

    /// <summary>Writes the refusal (a fresh socket's send buffer always takes it) and closes without reading.</summary>
    private unsafe void Refuse(int fd)
    {
        var refusal = _options.RefusalResponse.Span;
        if (!refusal.IsEmpty)
        {
            fixed (byte* bytes = refusal) Libc.send(fd, bytes, (nuint)refusal.Length, Libc.MSG_NOSIGNAL | Libc.MSG_DONTWAIT);
        }
        // Counted before the close, so that whoever sees the peer's end of it also sees the count.
        Interlocked.Increment(ref _refused);
        Libc.close(fd);
    }

    /// <summary>Out of descriptors: frees the spare to accept the backlog's head and refuse it, then takes the spare back.</summary>
    private unsafe void ShedOne(byte* address)
    {
        if (!_spare.Held) return;
        _spare.Release();
        var length = 128;
        var fd = Libc.accept4(_listenFd, address, &length, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
        if (fd >= 0) Refuse(fd);
        _spare.Take();
    }

    /// <summary>
    /// Loop 0: stops the listener's readiness for the backoff's delay. It stays level-triggered and readable while the
    /// backlog holds peers, so without the pause the loop would wake, fail and log at full speed.
    /// </summary>
    private void PauseAccepting(SocketError error)
    {
        var delay = _backoff.Failed();
        lock (_pauseGate)
        {
            if (Volatile.Read(ref _accepting) == 0) return;
            _loops[0].DisarmListener(_listenFd);
            Volatile.Write(ref _paused, true);
        }
        _resumeTimer.Change(delay, Timeout.InfiniteTimeSpan);
        if (_acceptFailures.TryAcquire(out var suppressed)) ReactorLog.AcceptFailed(_logger, error, delay.TotalMilliseconds, suppressed);
    }

    /// <summary>The timer or a closed connection: listens again (any thread).</summary>
    private void ResumeAccepting()
    {
        lock (_pauseGate)
        {
            if (!_paused || Volatile.Read(ref _accepting) == 0) return;
            _paused = false;
            _loops[0].ArmListener(_listenFd);
        }
    }
}
