namespace Chat.Reactor.Epoll;

internal sealed unsafe partial class EpollConnection
{
    /// <summary>Loop thread: the socket became writable (edge): resume an interrupted flush.</summary>
    internal void OnWritable()
    {
        _writable = true;
        if (!_torndown) Flush();
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
            if (written < total) _writable = false;
        }
    }
}
