
namespace Chat.Reactor.Epoll;

internal sealed unsafe partial class EpollConnection
{
    /// <summary>
    /// Loop thread: reads until the kernel has nothing more (edge-triggered), the budget is spent, reads are paused, or
    /// the pipeline's channel is full. Each read rents a buffer that the pipeline returns once consumed.
    /// </summary>
    internal void OnReadable()
    {
        _readable = true;
        for (var reads = 0; !_torndown && _readable && !_readPaused && !_hasPending; reads++)
        {
            if (reads == ReadBudget)
            {
                _loop.ReadLater(this);
                return;
            }
            var buffer = BufferPool.Shared.Rent(Options.ReceiveBufferSize);
            nint received;
            fixed (byte* p = buffer) received = Libc.recv(Fd, p, (nuint)buffer.Length, 0);
            if (received > 0)
            {
                if (IsClosing)
                {
                    // After our close started, what the peer still sends has no reader; we only wait for its FIN.
                    BufferPool.Shared.Return(buffer);
                    continue;
                }
                MarkActivity();
                Deliver(TransportEvent.Received(this, buffer, (int)received));
                continue;
            }
            BufferPool.Shared.Return(buffer);
            if (received == 0)
            {
                OnPeerClosed();
                return;
            }
            var errno = Libc.Errno;
            if (errno == Libc.EINTR) continue;
            _readable = false;
            if (errno != Libc.EAGAIN) Teardown();
        }
    }

    /// <summary>The peer sent FIN: flush what is queued (a half-closed client may still read), then close.</summary>
    private void OnPeerClosed()
    {
        _readable = false;
        _peerClosed = true;
        if (IsClosing && !HasQueuedBytes()) Teardown();
        else Close();
    }

    private bool HasQueuedBytes()
    {
        lock (Sync) return Queue.Count > 0;
    }
}
