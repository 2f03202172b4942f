namespace Chat.Reactor;

/// <summary>
/// A connection's queue of pending writes, flushed as gathered writes. Not thread-safe: the connection serialises
/// access under its own lock. Holds one buffer reference per segment and gives it back when the segment is written.
/// </summary>
internal sealed class OutboundQueue
{
    private OutboundSegment[] _ring = new OutboundSegment[4];
    private int _head;
    private int _count;

    /// <summary>Bytes not yet written, counting the unwritten rest of a partially written head segment.</summary>
    public long Bytes { get; private set; }

    public int Count => _count;

    /// <summary>True when the head segment was partly written: it must be finished before anything else leaves.</summary>
    public bool HeadStarted { get; private set; }

    /// <summary>Segments handed to the write in progress: they may not be discarded until it completes.</summary>
    public int InFlight { get; private set; }

    public void Enqueue(SharedBuffer buffer, int offset, int count)
    {
        buffer.AddReference();
        if (_count == _ring.Length) Grow();
        _ring[(_head + _count) % _ring.Length] = new OutboundSegment(buffer, offset, count);
        _count++;
        Bytes += count;
    }

    /// <summary>Copies up to <paramref name="max"/> pending segments, oldest first, into <paramref name="into"/>; returns how many.</summary>
    public int Gather(Span<OutboundSegment> into)
    {
        var n = Math.Min(_count, into.Length);
        for (var i = 0; i < n; i++) into[i] = _ring[(_head + i) % _ring.Length];
        InFlight = n;
        return n;
    }

    /// <summary>Gathers into a list of array segments (portable backend); returns how many were added.</summary>
    public int Gather(List<ArraySegment<byte>> into, int max)
    {
        into.Clear();
        var n = Math.Min(_count, max);
        for (var i = 0; i < n; i++) into.Add(_ring[(_head + i) % _ring.Length].AsArraySegment());
        InFlight = n;
        return n;
    }

    /// <summary>Marks <paramref name="written"/> bytes as sent: releases whole segments and trims a partial head exactly.</summary>
    public void Advance(long written)
    {
        InFlight = 0;
        Bytes -= written;
        while (written > 0)
        {
            ref var head = ref _ring[_head];
            if (written >= head.Count)
            {
                written -= head.Count;
                ReleaseHead();
                HeadStarted = false;
            }
            else
            {
                head.Offset += (int)written;
                head.Count -= (int)written;
                HeadStarted = true;
                written = 0;
            }
        }
    }

    /// <summary>
    /// Drops every segment that has not started to leave. A partly written head stays so the stream stays well-formed,
    /// and so do the segments of a write in progress, whose buffers the kernel may still be reading.
    /// </summary>
    public void DiscardUnstarted()
    {
        var keep = Math.Max(InFlight, HeadStarted ? 1 : 0);
        while (_count > keep)
        {
            var index = (_head + _count - 1) % _ring.Length;
            Bytes -= _ring[index].Count;
            _ring[index].Buffer.Release();
            _ring[index] = default;
            _count--;
        }
    }

    public void ReleaseAll()
    {
        while (_count > 0) ReleaseHead();
        Bytes = 0;
        HeadStarted = false;
        InFlight = 0;
    }

    private void ReleaseHead()
    {
        _ring[_head].Buffer.Release();
        _ring[_head] = default;
        _head = (_head + 1) % _ring.Length;
        _count--;
    }

    private void Grow()
    {
        var bigger = new OutboundSegment[_ring.Length * 2];
        for (var i = 0; i < _count; i++) bigger[i] = _ring[(_head + i) % _ring.Length];
        _ring = bigger;
        _head = 0;
    }
}
