using System.Threading.Channels;
using Chat.Pipeline.Stages;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>
/// The inbox that lets a stage run the next stage's drain inline: whoever drains, a stage's state is touched by one
/// thread at a time, items leave in the order they came, none is lost or stranded (the lost wake-up), and inline runs
/// stop at the depth bound. Driven through chains of small test stages shaped like the pipeline's (a worker loop and a
/// drain), with no sleeps: every wait has a deadline.
/// </summary>
public sealed class StageInboxTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Under_concurrent_producers_each_stage_drains_alone_and_every_item_arrives_in_order()
    {
        const int producers = 4;
        const int perProducer = 5000;
        // A small capacity fills the channels, so drains also wait for room and finish on other threads.
        var hops = Chain(3, capacity: 8);
        var workers = hops.Select(hop => Task.Run(hop.RunAsync)).ToArray();

        var writing = Enumerable.Range(0, producers).Select(producer => Task.Run(async () =>
        {
            for (var seq = 0; seq < perProducer; seq++) await hops[0].Writer.WriteAsync((producer, seq));
        })).ToArray();
        await Task.WhenAll(writing).WaitAsync(Within);
        hops[0].Writer.TryComplete();
        await Task.WhenAll(workers).WaitAsync(Within);

        foreach (var hop in hops)
        {
            Assert.Equal(0, hop.Overlaps);
            Assert.Equal(producers * perProducer, hop.Seen.Count);
            for (var producer = 0; producer < producers; producer++)
            {
                var seqs = hop.Seen.Where(item => item.Producer == producer).Select(item => item.Seq);
                Assert.Equal(Enumerable.Range(0, perProducer), seqs);
            }
        }
    }

    [Fact]
    public async Task A_write_while_the_next_stages_sleep_runs_them_on_the_writers_thread_before_the_write_returns()
    {
        var hops = Chain(3, capacity: 8);
        var thread = Environment.CurrentManagedThreadId;

        var write = hops[0].Writer.WriteAsync((0, 0));

        Assert.True(write.IsCompletedSuccessfully);
        foreach (var hop in hops)
        {
            Assert.Equal([(0, 0)], hop.Seen);
            Assert.Equal([thread], hop.Threads);
            Assert.Equal(1, hop.InlineRuns);
        }
        await CompleteAsync(hops);
    }

    [Fact]
    public async Task Past_the_depth_bound_the_next_stage_is_left_to_its_worker()
    {
        var hops = Chain(InlineDepth.Max + 2, capacity: 8);

        await hops[0].Writer.WriteAsync((0, 0));

        for (var i = 0; i < InlineDepth.Max; i++) Assert.Equal([(0, 0)], hops[i].Seen);
        Assert.Empty(hops[InlineDepth.Max].Seen);
        Assert.Equal(0, hops[InlineDepth.Max].InlineRuns);
        await CompleteAsync(hops);
        // The worker took the item the bound left, and the stage after it ran inline again from there.
        Assert.All(hops, hop => Assert.Equal([(0, 0)], hop.Seen));
        Assert.Equal(1, hops[InlineDepth.Max + 1].InlineRuns);
    }

    [Fact]
    public async Task TryWrite_leaves_the_item_to_the_worker()
    {
        var hops = Chain(1, capacity: 8);

        Assert.True(hops[0].Writer.TryWrite((0, 0)));

        Assert.Empty(hops[0].Seen);
        await CompleteAsync(hops);
        Assert.Equal([(0, 0)], hops[0].Seen);
        Assert.Equal(0, hops[0].InlineRuns);
    }

    [Fact]
    public async Task A_worker_finishes_only_after_an_inline_drain_that_waited_for_room_has_passed_everything_on()
    {
        // The end of the chain holds one item and is read only at the end: the second write's inline drains wait for
        // room there, holding both gates, while the third write queues behind them and the first channel completes.
        // Neither worker may finish (and complete the channel after it) under those drains.
        var end = Channel.CreateBounded<(int Producer, int Seq)>(new BoundedChannelOptions(1) { SingleReader = true });
        var hops = Chain(2, capacity: 1, end.Writer);
        var middle = Task.Run(hops[1].RunAsync);
        await hops[0].Writer.WriteAsync((0, 0));
        var waiting = hops[0].Writer.WriteAsync((0, 1)).AsTask();
        var queued = hops[0].Writer.WriteAsync((0, 2)).AsTask();
        hops[0].Writer.TryComplete();
        var first = Task.Run(hops[0].RunAsync);

        var arrived = new List<(int Producer, int Seq)>();
        await foreach (var item in end.Reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(Within).Token)) arrived.Add(item);
        await Task.WhenAll(waiting, queued, first, middle).WaitAsync(Within);

        Assert.Equal([(0, 0), (0, 1), (0, 2)], arrived);
        Assert.All(hops, hop => Assert.Equal(0, hop.Overlaps));
    }

    [Fact]
    public async Task A_drain_that_fails_inline_fails_its_own_stage_and_not_the_writer()
    {
        var hops = Chain(2, capacity: 8);
        var second = Task.Run(hops[1].RunAsync);

        await hops[0].Writer.WriteAsync((0, Hop.Poison));
        await hops[0].Writer.WriteAsync((0, 1));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => second.WaitAsync(Within));
        Assert.Equal(Hop.PoisonMessage, failure.Message);
        // The writer went on; the failed stage takes nothing more, so its channel keeps what came after.
        Assert.Equal([(0, Hop.Poison), (0, 1)], hops[0].Seen);
        Assert.Equal([(0, Hop.Poison)], hops[1].Seen);
        Assert.Equal(1, hops[1].Count);
    }

    private static async Task CompleteAsync(Hop[] hops)
    {
        var workers = hops.Select(hop => Task.Run(hop.RunAsync)).ToArray();
        hops[0].Writer.TryComplete();
        await Task.WhenAll(workers).WaitAsync(Within);
    }

    private static Hop[] Chain(int length, int capacity, ChannelWriter<(int Producer, int Seq)>? end = null)
    {
        var hops = new Hop[length];
        for (var i = length - 1; i >= 0; i--) hops[i] = new Hop(capacity, i == length - 1 ? end : hops[i + 1].Writer);
        return hops;
    }

    /// <summary>A stage as the pipeline's are: a worker loop over the inbox, and a drain that passes each item on.</summary>
    private sealed class Hop
    {
        private readonly StageInbox<(int Producer, int Seq)> _inbox;
        private readonly ChannelWriter<(int Producer, int Seq)>? _next;
        private int _inside;

        public Hop(int capacity, ChannelWriter<(int Producer, int Seq)>? next)
        {
            _inbox = new StageInbox<(int Producer, int Seq)>(Channel.CreateBounded<(int Producer, int Seq)>(
                new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }));
            _inbox.DrainWith(DrainAsync);
            _next = next;
        }

        public ChannelWriter<(int Producer, int Seq)> Writer => _inbox.Writer;

        /// <summary>A sequence number whose handling throws in the last hop, as a stage's bug would.</summary>
        public const int Poison = -1;

        public const string PoisonMessage = "poisoned item";

        public long InlineRuns => _inbox.InlineRuns;

        public int Count => _inbox.Count;

        /// <summary>A plain list on purpose: two drains at once would also show as a lost or doubled entry.</summary>
        public List<(int Producer, int Seq)> Seen { get; } = [];

        public List<int> Threads { get; } = [];

        public int Overlaps;

        public async Task RunAsync()
        {
            while (await _inbox.WaitToReadAsync()) await DrainAsync();
            _next?.TryComplete();
        }

        /// <summary>The last hop's drain is not an async method, like the broadcast stage's: it throws, not its ValueTask.</summary>
        private ValueTask DrainAsync() => _next is null ? DrainLast() : DrainOnAsync(_next);

        private ValueTask DrainLast()
        {
            while (_inbox.TryRead(out var item))
            {
                Take(item);
                if (item.Seq == Poison) throw new InvalidOperationException(PoisonMessage);
            }
            return default;
        }

        private async ValueTask DrainOnAsync(ChannelWriter<(int Producer, int Seq)> next)
        {
            while (_inbox.TryRead(out var item))
            {
                Take(item);
                await next.WriteAsync(item);
            }
        }

        private void Take((int Producer, int Seq) item)
        {
            if (Interlocked.Increment(ref _inside) != 1) Interlocked.Increment(ref Overlaps);
            Seen.Add(item);
            if (!Threads.Contains(Environment.CurrentManagedThreadId)) Threads.Add(Environment.CurrentManagedThreadId);
            // Holds the stage a little, so that a second drainer would meet this one.
            Thread.SpinWait(200);
            Interlocked.Decrement(ref _inside);
        }
    }
}
