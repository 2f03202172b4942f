using Chat.Pipeline.Items;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Replay;

/// <summary>
/// The most recent broadcast frames, oldest first, so that a client reconnecting with a recent <c>since</c> is served
/// from memory without a store query, each frame with its compressed twin when it has one (the same buffer). Owned by
/// the broadcast stage's worker; holds one reference per frame.
/// </summary>
internal sealed class ReplayWindow(int capacity)
{
    private readonly Entry[] _ring = new Entry[Math.Max(capacity, 1)];
    private int _head;
    private int _count;

    public void Add(long id, SharedBuffer frame, int offset, int length, DeflatedVariant deflated = default)
    {
        if (capacity == 0) return;
        frame.AddReference();
        if (_count == _ring.Length)
        {
            _ring[_head].Frame.Release();
            _ring[_head] = new Entry(id, frame, offset, length, deflated);
            _head = (_head + 1) % _ring.Length;
            return;
        }
        _ring[(_head + _count) % _ring.Length] = new Entry(id, frame, offset, length, deflated);
        _count++;
    }

    /// <summary>True when every delivered message with an id above <paramref name="since"/> is in the window.</summary>
    public bool Covers(long since) => _count > 0 && _ring[_head].Id <= since + 1;

    /// <summary>
    /// Queues the frames with an id above <paramref name="since"/> through the session's writer, in order, compressed
    /// where the session negotiated permessage-deflate and the frame has a twin that fits its window. Stops at a
    /// closed or dropped connection (the writer dropped it), and after the frame that took the queue past half its
    /// mark (<see cref="SendResult.Backpressure"/>): the client reads that much before the rest follows.
    /// <paramref name="cursor"/> is the id of the last frame queued.
    /// </summary>
    public SendResult SendAfter(long since, Session session, out int sent, out long cursor)
    {
        var writer = session.Writer;
        sent = 0;
        cursor = since;
        for (var i = 0; i < _count; i++)
        {
            ref var entry = ref _ring[(_head + i) % _ring.Length];
            if (entry.Id <= since) continue;
            var result = writer.Send(entry.Frame, entry.Offset, entry.Length, entry.Deflated);
            if (result is SendResult.Dropped or SendResult.Closed) return result;
            sent++;
            cursor = entry.Id;
            if (result == SendResult.Backpressure && i < _count - 1) return result;
        }
        return SendResult.Accepted;
    }

    public void Clear()
    {
        for (var i = 0; i < _count; i++) _ring[(_head + i) % _ring.Length].Frame.Release();
        Array.Clear(_ring);
        _count = 0;
        _head = 0;
    }

    private readonly record struct Entry(long Id, SharedBuffer Frame, int Offset, int Length, DeflatedVariant Deflated);
}
