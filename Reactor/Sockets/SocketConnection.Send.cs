using System.Net.Sockets;

namespace Chat.Reactor.Sockets;

internal sealed partial class SocketConnection
{
    // Small frames are copied into one buffer of this size per write: Socket.SendAsync over a segment list returns a
    // Task and, past 8 segments, allocates its iovec and handle arrays on every call (SocketPal.Unix); one memory
    // block goes through the cached ValueTask path and allocates nothing.
    private const int CoalesceBytes = 16 * 1024;

    private async Task FlushAsync()
    {
        var coalesce = BufferPool.Shared.Rent(CoalesceBytes);
        try
        {
            while (true)
            {
                FlushState state;
                lock (Sync)
                {
                    state = EndFlushIfEmptyLocked();
                    if (state == FlushState.More) Queue.Gather(_sendSegments, MaxSegmentsPerWrite);
                }
                if (state == FlushState.Idle) return;
                if (state == FlushState.ShutDown)
                {
                    ShutdownSendOnce();
                    return;
                }
                int sent;
                try
                {
                    sent = await _socket.SendAsync(NextWrite(coalesce), SocketFlags.None).ConfigureAwait(false);
                }
                catch (Exception e) when (IsExpectedSocketFailure(e))
                {
                    Abort();
                    return;
                }
                Written(sent);
            }
        }
        finally
        {
            BufferPool.Shared.Return(coalesce);
        }
    }

    // The gathered segments as one block: the first alone when it does not fit the buffer (a large frame is sent
    // without a copy), else every whole segment that fits, copied in order.
    private ReadOnlyMemory<byte> NextWrite(byte[] coalesce)
    {
        var first = _sendSegments[0];
        if (_sendSegments.Count == 1 || first.Count > coalesce.Length) return first;
        var length = 0;
        foreach (var segment in _sendSegments)
        {
            if (segment.Count > coalesce.Length - length) break;
            segment.AsSpan().CopyTo(coalesce.AsSpan(length));
            length += segment.Count;
        }
        return coalesce.AsMemory(0, length);
    }
}
