using System.Net.Sockets;

namespace Chat.Reactor.Epoll;

/// <summary>What the accept path does at the machine's limits: the connection cap, EMFILE and its kin.</summary>
internal sealed partial class EpollTransport
{
    private readonly Timer _resumeTimer;
    private readonly Lock _pauseGate = new();
    private readonly AcceptRefusals _refusals;
    private bool _paused;

    /// <summary>Writes the refusal (a fresh socket's send buffer always takes it) and closes without reading.</summary>
    private unsafe void Refuse(int fd, AcceptVerdict verdict)
    {
        var refusal = _options.RefusalResponse.Span;
        if (!refusal.IsEmpty)
        {
            fixed (byte* bytes = refusal) Libc.send(fd, bytes, (nuint)refusal.Length, Libc.MSG_NOSIGNAL | Libc.MSG_DONTWAIT);
        }
        _refusals.Record(verdict, fd, _connections.Count);
        Libc.close(fd);
    }

    /// <summary>Out of descriptors: frees the spare to accept the backlog's head and refuse it, then takes the spare back.</summary>
    private unsafe void ShedOne(byte* address)
    {
        var spare = _listener.Spare;
        if (!spare.Held) return;
        spare.Release();
        var length = 128;
        var fd = Libc.accept4(_listenFd, address, &length, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
        if (fd >= 0) Refuse(fd, AcceptVerdict.Shed);
        spare.Take();
    }

    /// <summary>
    /// Loop 0: stops the listener's readiness for the backoff's delay. It stays level-triggered and readable while the
    /// backlog holds peers, so without the pause the loop would wake, fail and log at full speed.
    /// </summary>
    private void PauseAccepting(SocketError error)
    {
        var delay = _listener.Backoff.Failed();
        lock (_pauseGate)
        {
            if (Volatile.Read(ref _accepting) == 0) return;
            _loops[0].DisarmListener(_listenFd);
            Volatile.Write(ref _paused, true);
        }
        _resumeTimer.Change(delay, Timeout.InfiniteTimeSpan);
        _refusals.AcceptFailed(error, delay);
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
