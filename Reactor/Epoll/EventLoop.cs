using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Chat.Reactor.Epoll;

/// <summary>
/// One thread blocked in epoll_wait, owning a share of the connections: it reads them, flushes their queues with
/// writev, and closes them. Other threads talk to it only through <see cref="Post"/> (connection work flags) and an
/// eventfd wake-up, coalesced so a burst of sends costs one wake.
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    private const ulong WakeToken = ulong.MaxValue;
    private const ulong ListenToken = ulong.MaxValue - 1;
    private const int MaxEvents = 512;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<EpollConnection> _work = new();
    private readonly Dictionary<int, EpollConnection> _connections = new();
    private readonly Queue<EpollConnection> _blocked = new();
    private readonly List<EpollConnection> _readReady = new();
    private readonly List<EpollConnection> _readAgain = new();
    // Corked connections in the order they were corked, with the timestamp their flush is due. Every connection of a
    // loop shares one delay, so a later entry is never due more than that delay after it was corked, even behind an
    // earlier one that is due later: the bound holds without sorting.
    private readonly Queue<(EpollConnection Connection, long Due)> _corked = new();
    private readonly ChannelWriter<TransportEvent> _events;
    private readonly void* _eventBuffer;
    private int _wakePending;
    private int _channelReady;
    private bool _waitingForChannel;
    private volatile bool _stopping;

    public EventLoop(int index, ChannelWriter<TransportEvent> events)
    {
        Index = index;
        _events = events;
        _epoll = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        if (_epoll < 0) throw new InvalidOperationException($"epoll_create1 failed: errno {Libc.Errno}");
        _wake = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (_wake < 0) throw new InvalidOperationException($"eventfd failed: errno {Libc.Errno}");
        Libc.Control(_epoll, Libc.EPOLL_CTL_ADD, _wake, Libc.EPOLLIN, WakeToken);
        _eventBuffer = NativeMemory.Alloc(MaxEvents, (nuint)(Libc.PackedEvents ? sizeof(Libc.EpollEventPacked) : sizeof(Libc.EpollEventAligned)));
        Vectors = (Libc.IoVec*)NativeMemory.Alloc(Libc.IOV_MAX, (nuint)sizeof(Libc.IoVec));
        _thread = new Thread(Run) { IsBackground = true, Name = $"epoll-loop-{index}" };
    }

    public int Index { get; }

    /// <summary>Scratch iovec array for this loop's writev calls (only used on the loop thread).</summary>
    public Libc.IoVec* Vectors { get; }

    /// <summary>Scratch copy of the segments being written (only used on the loop thread).</summary>
    public OutboundSegment[] Segments { get; } = new OutboundSegment[Libc.IOV_MAX];

    public ChannelWriter<TransportEvent> Events => _events;

    /// <summary>Set on the accepting loop: called when the listening socket is readable.</summary>
    public Action? OnAcceptable { get; set; }

    public void Start() => _thread.Start();

    /// <summary>Watches a listening socket (level-triggered) on this loop.</summary>
    public void WatchListener(int fd) => Libc.Control(_epoll, Libc.EPOLL_CTL_ADD, fd, Libc.EPOLLIN, ListenToken);

    public void UnwatchListener(int fd) => Libc.Control(_epoll, Libc.EPOLL_CTL_DEL, fd, 0, 0);

    /// <summary>Keeps the listener registered but asks for no events: the accept backoff's pause (any thread).</summary>
    public void DisarmListener(int fd) => Libc.Control(_epoll, Libc.EPOLL_CTL_MOD, fd, 0, ListenToken);

    /// <summary>Undoes <see cref="DisarmListener"/>; a backlog still waiting makes the listener readable at once (any thread).</summary>
    public void ArmListener(int fd) => Libc.Control(_epoll, Libc.EPOLL_CTL_MOD, fd, Libc.EPOLLIN, ListenToken);

    /// <summary>Asks the loop to handle <paramref name="connection"/>'s new work flags (any thread).</summary>
    public void Post(EpollConnection connection)
    {
        _work.Enqueue(connection);
        Wake();
    }

    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) != 0) return;
        ulong one = 1;
        Libc.write(_wake, (byte*)&one, sizeof(ulong));
    }

    public void Stop()
    {
        _stopping = true;
        Wake();
        if (Thread.CurrentThread != _thread && _thread.IsAlive) _thread.Join();
    }

    public void Dispose()
    {
        Libc.close(_wake);
        Libc.close(_epoll);
        NativeMemory.Free(_eventBuffer);
        NativeMemory.Free(Vectors);
    }

    // --- loop-thread members ---

    internal void Register(EpollConnection connection)
    {
        _connections[connection.Fd] = connection;
        var events = Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET;
        if (Libc.Control(_epoll, Libc.EPOLL_CTL_ADD, connection.Fd, events, (ulong)connection.Fd) < 0) connection.Teardown();
    }

    internal void Forget(EpollConnection connection) => _connections.Remove(connection.Fd);

    /// <summary>The connection read its budget and has more: read it again before sleeping.</summary>
    internal void ReadLater(EpollConnection connection) => _readReady.Add(connection);

    /// <summary>Flushes <paramref name="connection"/> once <see cref="Stopwatch.GetTimestamp"/> reaches <paramref name="due"/>.</summary>
    internal void Cork(EpollConnection connection, long due) => _corked.Enqueue((connection, due));

    /// <summary>The channel to the pipeline is full: retry this connection's pending event when it has room.</summary>
    internal void WaitForChannel(EpollConnection connection)
    {
        _blocked.Enqueue(connection);
        ArmChannelWait();
    }

    private void ArmChannelWait()
    {
        if (_waitingForChannel) return;
        _waitingForChannel = true;
        var wait = _events.WaitToWriteAsync();
        if (wait.IsCompleted) ChannelHasRoom();
        else wait.AsTask().ContinueWith(static (_, state) => ((EventLoop)state!).ChannelHasRoom(), this, TaskScheduler.Default);
    }

    private void ChannelHasRoom()
    {
        Volatile.Write(ref _channelReady, 1);
        Wake();
    }

    private void Run()
    {
        while (!_stopping)
        {
            var count = Wait(_readReady.Count > 0 || !_work.IsEmpty);
            if (count < 0 && Libc.Errno != Libc.EINTR) throw new InvalidOperationException($"epoll_wait failed: errno {Libc.Errno}");
            for (var i = 0; i < count; i++)
            {
                ReadEvent(i, out var flags, out var token);
                Dispatch(flags, token);
            }
            DrainWork();
            RetryBlocked();
            ReadReady();
            Uncork();
        }
    }

    // Sleeps until an event, a wake-up, or the first corked flush falls due (nanosecond timeout), else at most 1 s.
    private int Wait(bool busy)
    {
        if (busy || !_corked.TryPeek(out var first)) return Libc.epoll_wait(_epoll, _eventBuffer, MaxEvents, busy ? 0 : 1000);
        var nanoseconds = Math.Max(0, (long)((first.Due - Stopwatch.GetTimestamp()) * (1e9 / Stopwatch.Frequency)));
        var timeout = new Libc.Timespec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        return Libc.epoll_pwait2(_epoll, _eventBuffer, MaxEvents, &timeout, null);
    }

    private void Uncork()
    {
        if (_corked.Count == 0) return;
        var now = Stopwatch.GetTimestamp();
        while (_corked.TryPeek(out var head) && head.Due <= now)
        {
            _corked.Dequeue();
            head.Connection.Uncork();
        }
    }

    private void ReadEvent(int i, out uint flags, out ulong token)
    {
        if (Libc.PackedEvents)
        {
            var e = ((Libc.EpollEventPacked*)_eventBuffer)[i];
            flags = e.Events;
            token = e.Data;
            return;
        }
        var aligned = ((Libc.EpollEventAligned*)_eventBuffer)[i];
        flags = aligned.Events;
        token = aligned.Data;
    }

    private void Dispatch(uint flags, ulong token)
    {
        if (token == WakeToken)
        {
            ulong value;
            Libc.read(_wake, (byte*)&value, sizeof(ulong));
            return;
        }
        if (token == ListenToken)
        {
            OnAcceptable?.Invoke();
            return;
        }
        if (!_connections.TryGetValue((int)token, out var connection)) return;
        var failed = (flags & (Libc.EPOLLERR | Libc.EPOLLHUP)) != 0;
        if ((flags & Libc.EPOLLOUT) != 0 || failed) connection.OnWritable();
        if ((flags & (Libc.EPOLLIN | Libc.EPOLLRDHUP)) != 0 || failed) connection.OnReadable();
    }

    private void DrainWork()
    {
        Volatile.Write(ref _wakePending, 0);
        while (_work.TryDequeue(out var connection)) connection.DoWork();
    }

    private void RetryBlocked()
    {
        if (Interlocked.Exchange(ref _channelReady, 0) == 0) return;
        _waitingForChannel = false;
        while (_blocked.TryPeek(out var connection))
        {
            if (!connection.TryDeliverPending()) break;
            _blocked.Dequeue();
            connection.OnReadable();
        }
        if (_blocked.Count > 0) ArmChannelWait();
    }

    private void ReadReady()
    {
        if (_readReady.Count == 0) return;
        _readAgain.AddRange(_readReady);
        _readReady.Clear();
        foreach (var connection in _readAgain) connection.OnReadable();
        _readAgain.Clear();
    }
}
