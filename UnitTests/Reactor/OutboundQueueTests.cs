using Chat.Reactor;

namespace Chat.UnitTests.Reactor;

public sealed class OutboundQueueTests
{
    private static SharedBuffer Filled(int length, byte value)
    {
        var buffer = SharedBuffer.Rent(length);
        buffer.Span[..length].Fill(value);
        return buffer;
    }

    [Fact]
    public void Bytes_count_what_is_queued_and_advance_releases_whole_segments()
    {
        var queue = new OutboundQueue();
        var a = Filled(10, 1);
        var b = Filled(20, 2);
        queue.Enqueue(a, 0, 10);
        queue.Enqueue(b, 5, 15);
        Assert.Equal(25, queue.Bytes);
        Assert.Equal(2, queue.Count);

        queue.Advance(10);

        Assert.Equal(15, queue.Bytes);
        Assert.Equal(1, queue.Count);
        Assert.False(queue.HeadStarted);
        a.Release();
        b.Release();
        queue.ReleaseAll();
    }

    [Fact]
    public void Partial_write_resumes_exactly_where_it_stopped()
    {
        var queue = new OutboundQueue();
        var buffer = SharedBuffer.Rent(100);
        for (var i = 0; i < 100; i++) buffer.Span[i] = (byte)i;
        queue.Enqueue(buffer, 0, 100);
        buffer.Release();

        queue.Advance(37);

        Span<OutboundSegment> segments = new OutboundSegment[4];
        Assert.Equal(1, queue.Gather(segments));
        Assert.Equal(37, segments[0].Offset);
        Assert.Equal(63, segments[0].Count);
        Assert.Equal(37, segments[0].Buffer.Array[segments[0].Offset]);
        Assert.True(queue.HeadStarted);
        queue.Advance(63);
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.Bytes);
    }

    [Fact]
    public void Discard_keeps_a_started_head_and_segments_of_the_write_in_progress()
    {
        var queue = new OutboundQueue();
        var buffers = Enumerable.Range(0, 5).Select(i => Filled(10, (byte)i)).ToArray();
        foreach (var b in buffers) queue.Enqueue(b, 0, 10);
        Span<OutboundSegment> segments = new OutboundSegment[2];
        queue.Gather(segments);

        queue.DiscardUnstarted();

        Assert.Equal(2, queue.Count);
        Assert.Equal(20, queue.Bytes);
        queue.Advance(15);
        queue.DiscardUnstarted();
        Assert.Equal(1, queue.Count);
        Assert.Equal(5, queue.Bytes);
        foreach (var b in buffers) b.Release();
        queue.ReleaseAll();
    }

    [Fact]
    public void The_queue_grows_past_its_first_ring_and_keeps_order()
    {
        var queue = new OutboundQueue();
        var buffers = Enumerable.Range(0, 40).Select(i => Filled(1, (byte)i)).ToArray();
        for (var i = 0; i < 40; i++)
        {
            queue.Enqueue(buffers[i], 0, 1);
            if (i % 3 == 2) queue.Advance(1);
        }
        var rest = new OutboundSegment[64];
        var n = queue.Gather(rest);
        Assert.Equal(27, n);
        Assert.Equal(Enumerable.Range(13, 27).Select(i => (byte)i), rest.Take(n).Select(s => s.Buffer.Array[s.Offset]));
        foreach (var b in buffers) b.Release();
        queue.ReleaseAll();
    }
}
