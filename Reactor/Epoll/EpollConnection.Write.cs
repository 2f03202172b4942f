using System.Diagnostics;

namespace Chat.Reactor.Epoll;

internal sealed unsafe partial class EpollConnection
{
    private long _lastWrite;
    private bool _corked;

    /// <summary>
    /// Loop thread: flushes now, or corks the connection when it wrote less than <see cref="ReactorOptions.FlushDelay"/>
    /// ago, so that the frames queued until then leave in one writev (one send, one wake-up of the peer) rather than
    /// one each. A connection that was quiet for the delay writes at once: corking costs latency only under load.
    /// </summary>
    private void FlushOrCork()
    {
        if (_corked) return;
        if (Options.FlushDelay > TimeSpan.Zero)
        {
            var due = _lastWrite + (long)(Options.FlushDelay.TotalSeconds * Stopwatch.Frequency);
            if (Stopwatch.GetTimestamp() < due)
            {
                _corked = true;
                _loop.Cork(this, due);
                return;
            }
        }

        Flush();
    }

    /// <summary>Loop thread: the cork's time is up.</summary>
    internal void Uncork()
    {
        _corked = false;
        if (_writable && !_torndown) Flush();
    }

    /// <summary>
    /// Loop thread: the socket became writable (edge): resume an interrupted flush. The edge also comes when an ACK
    /// frees buffer space, so a corked connection leaves its frames to <see cref="Uncork"/>.
    /// </summary>
    internal void OnWritable()
    {
        _writable = true;
        if (!_torndown && !_corked) Flush();
    }

    /// <summary>
    /// Loop thread: one gathered write per round of up to IOV_MAX queued segments, until the queue is empty or the
    /// kernel's send buffer is full (then EPOLLOUT resumes us). A partial write resumes exactly where it stopped.
    /// </summary>
    private void Flush()
    {
        var gathered = _loop.Segments;
        while (_writable && !_torndown)
        {
            FlushState state;
            int count = 0;
            lock (Sync)
            {
                state = EndFlushIfEmptyLocked();
                if (state == FlushState.More) count = Queue.Gather(gathered);
            }
            if (state == FlushState.Idle) return;
            if (state == FlushState.ShutDown)
            {
                ShutdownSendOnce();
                if (_peerClosed) Teardown();
                return;
            }
            long total = 0;
            var vectors = _loop.Vectors;
            for (var i = 0; i < count; i++)
            {
                vectors[i].Base = gathered[i].Buffer.Pointer + gathered[i].Offset;
                vectors[i].Length = (nuint)gathered[i].Count;
                total += gathered[i].Count;
            }
            var written = Libc.writev(Fd, vectors, count);
            if (written < 0)
            {
                var errno = Libc.Errno;
                Written(0);
                if (errno == Libc.EINTR) continue;
                if (errno == Libc.EAGAIN) _writable = false;
                else Teardown();
                return;
            }
            Written(written);
            _lastWrite = Stopwatch.GetTimestamp();
            if (written < total) _writable = false;
        }
    }
}
