using System.Diagnostics;
using System.Net;

namespace Chat.Reactor;

/// <summary>
/// One accepted TCP connection. The reactor owns the socket; the owner of the events (the pipeline) sends through
/// <see cref="Send"/>, which only queues: the backend flushes the queue with gathered writes on its own threads, so a
/// slow peer never blocks the sender. Thread-safe.
/// </summary>
public abstract class Connection
{
    private const int Open = 0, Closing = 1, Closed = 2;

    private protected readonly object Sync = new();
    private protected readonly OutboundQueue Queue = new();
    private protected readonly ReactorOptions Options;
    private int _state;
    private bool _flushScheduled;
    private int _shutdownRequests;
    private TaskCompletionSource? _drained;
    private long _lastActivity;

    private protected Connection(long id, IPEndPoint remoteEndPoint, ReactorOptions options)
    {
        Id = id;
        RemoteEndPoint = remoteEndPoint;
        Options = options;
        _lastActivity = Stopwatch.GetTimestamp();
    }

    public long Id { get; }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The owner's per-connection state (the pipeline's session); the reactor never reads it.</summary>
    public object? Tag { get; set; }

    /// <summary>
    /// Set by the owner (TLS) before anything is sent: <see cref="Send"/> and <see cref="Close"/> then go through it, and
    /// it queues its own output with <see cref="SendRaw"/> and <see cref="CloseRaw"/>. Null: bytes are queued as given.
    /// </summary>
    public IOutboundTransform? Outbound { get; set; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> of the last bytes received.</summary>
    public long LastActivityTimestamp => Volatile.Read(ref _lastActivity);

    /// <summary>Bytes queued and not yet written to the socket.</summary>
    public long QueuedBytes
    {
        get { lock (Sync) return Queue.Bytes; }
    }

    /// <summary>True once <see cref="Close"/> or <see cref="Abort"/> was called or the peer went away.</summary>
    public bool IsClosing => Volatile.Read(ref _state) != Open;

    /// <summary>
    /// Queues <paramref name="count"/> bytes of <paramref name="buffer"/> (the queue takes its own reference) and makes
    /// sure a flush is scheduled, through <see cref="Outbound"/> when one is set. Never blocks and never writes on the
    /// caller's thread.
    /// </summary>
    public SendResult Send(SharedBuffer buffer, int offset, int count) =>
        Outbound is { } outbound ? outbound.Send(this, buffer, offset, count) : SendRaw(buffer, offset, count);

    /// <summary><see cref="Send"/> without <see cref="Outbound"/>: the bytes go to the socket as they are.</summary>
    public SendResult SendRaw(SharedBuffer buffer, int offset, int count)
    {
        SendResult result;
        bool schedule;
        lock (Sync)
        {
            if (_state != Open) return SendResult.Closed;
            if (Queue.Bytes + count > Options.HighWaterMark) return SendResult.Dropped;
            Queue.Enqueue(buffer, offset, count);
            result = Queue.Bytes > Options.HighWaterMark / 2 ? SendResult.Backpressure : SendResult.Accepted;
            schedule = !_flushScheduled;
            _flushScheduled = true;
        }
        if (schedule) ScheduleFlush();
        return result;
    }

    /// <summary>
    /// Closes gracefully: no more sends are accepted, <paramref name="lastWords"/> (if any) is queued after what is
    /// pending, or instead of it when <paramref name="discardQueued"/>; once flushed the write side is shut down and
    /// the socket closes when the peer's FIN arrives or <see cref="ReactorOptions.CloseTimeout"/> passes. Goes through
    /// <see cref="Outbound"/> when one is set.
    /// </summary>
    public void Close(SharedBuffer? lastWords = null, int offset = 0, int count = 0, bool discardQueued = false)
    {
        if (Outbound is { } outbound) outbound.Close(this, lastWords, offset, count, discardQueued);
        else CloseRaw(lastWords, offset, count, discardQueued);
    }

    /// <summary><see cref="Close"/> without <see cref="Outbound"/>: the last words go to the socket as they are.</summary>
    public void CloseRaw(SharedBuffer? lastWords = null, int offset = 0, int count = 0, bool discardQueued = false)
    {
        bool schedule;
        lock (Sync)
        {
            if (_state != Open) return;
            _state = Closing;
            if (discardQueued) Queue.DiscardUnstarted();
            if (lastWords is not null) Queue.Enqueue(lastWords, offset, count);
            schedule = !_flushScheduled;
            _flushScheduled = true;
        }
        ResumeReading();
        if (schedule) ScheduleFlush();
        _ = AbortAfterTimeoutAsync();
    }

    /// <summary>Closes at once, dropping whatever is queued.</summary>
    public abstract void Abort();

    /// <summary>
    /// Stops reading from the socket (its bytes stay in the kernel and TCP pushes back on the peer). A connection that
    /// is already closing keeps reading: the peer's FIN is what ends it, and without the read it would wait out
    /// <see cref="ReactorOptions.CloseTimeout"/>.
    /// </summary>
    public void PauseReading()
    {
        lock (Sync)
        {
            if (_state == Open) PauseReadingCore();
        }
    }

    private protected abstract void PauseReadingCore();

    public abstract void ResumeReading();

    /// <summary>Completes when the queue is at or below half the high-water mark, or the connection is closed.</summary>
    public Task WhenDrainedAsync()
    {
        lock (Sync)
        {
            if (_state == Closed || Queue.Bytes <= Options.HighWaterMark / 2) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    private protected void MarkActivity() => Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());

    /// <summary>Arranges for the queue to be flushed on the backend's threads until <see cref="EndFlushIfEmptyLocked"/> reports idle.</summary>
    private protected abstract void ScheduleFlush();

    /// <summary>Shuts down the write side after the last queued byte left (half-close, RFC 9293 FIN).</summary>
    private protected abstract void ShutdownSend();

    /// <summary>Flushes that ended asking for the write side to be shut down; only the first one calls shutdown(2).</summary>
    internal int ShutdownRequests => Volatile.Read(ref _shutdownRequests);

    /// <summary>
    /// The backends' one way to <see cref="ShutdownSend"/>: once only. Each shutdown(2) wakes the socket's waiters, so
    /// on an edge-triggered epoll a repeated one raised EPOLLOUT again, whose flush shut down again: a busy loop until
    /// the peer's FIN or the close timeout.
    /// </summary>
    private protected void ShutdownSendOnce()
    {
        if (Interlocked.Increment(ref _shutdownRequests) == 1) ShutdownSend();
    }

    private protected enum FlushState { More, Idle, ShutDown }

    /// <summary>Called by the backend after a write: accounts the bytes and says whether to go on.</summary>
    private protected void Written(long bytes)
    {
        TaskCompletionSource? drained = null;
        lock (Sync)
        {
            Queue.Advance(bytes);
            if (_drained is not null && Queue.Bytes <= Options.HighWaterMark / 2)
            {
                drained = _drained;
                _drained = null;
            }
        }
        drained?.TrySetResult();
    }

    /// <summary>Under the lock, ends a flush when nothing is queued; tells the backend to shut down when closing.</summary>
    private protected FlushState EndFlushIfEmptyLocked()
    {
        if (Queue.Count > 0) return FlushState.More;
        _flushScheduled = false;
        return _state == Closing ? FlushState.ShutDown : FlushState.Idle;
    }

    /// <summary>Marks the connection as going away without a graceful flush (peer gone, error, abort).</summary>
    private protected void MarkClosing()
    {
        lock (Sync)
        {
            if (_state == Open) _state = Closing;
        }
    }

    /// <summary>Final step, once per connection: releases every queued buffer and wakes drain waiters.</summary>
    private protected bool MarkClosed()
    {
        TaskCompletionSource? drained;
        lock (Sync)
        {
            if (_state == Closed) return false;
            _state = Closed;
            Queue.ReleaseAll();
            drained = _drained;
            _drained = null;
        }
        drained?.TrySetResult();
        return true;
    }

    private async Task AbortAfterTimeoutAsync()
    {
        await Task.Delay(Options.CloseTimeout).ConfigureAwait(false);
        if (Volatile.Read(ref _state) != Closed) Abort();
    }
}
