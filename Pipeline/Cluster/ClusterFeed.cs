using System.Threading.Channels;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Replay;
using Chat.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Cluster;

/// <summary>
/// Brings other nodes' messages to this node's broadcast stage: when the commit feed reports a batch committed
/// elsewhere (or broadcast finds its own batch is not next in id order), reads every stored message after what was
/// delivered, in id order, and posts them as a <see cref="ForeignBatch"/>. After a lost feed connection it reads
/// everything after its cursor, so nothing is missed.
/// </summary>
internal sealed class ClusterFeed(
    IMessageStore store,
    ICommitFeed feed,
    ChannelWriter<BroadcastItem> broadcast,
    Func<long> delivered,
    ServerMetrics metrics,
    ILogger logger)
{
    public const int PageSize = 1000;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private readonly Channel<bool> _kicks = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _target;
    private int _readAll;
    private long _cursor;

    /// <summary>Asks for every message up to <paramref name="id"/> (any thread).</summary>
    public void Want(long id)
    {
        long seen;
        do
        {
            seen = Volatile.Read(ref _target);
            if (id <= seen) break;
        }
        while (Interlocked.CompareExchange(ref _target, id, seen) != seen);
        _kicks.Writer.TryWrite(true);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var listening = feed.RunAsync((room, id) => { if (room == RoomName.General) Want(id); }, ReadAll, stopping);
        try
        {
            while (await _kicks.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                _kicks.Reader.TryRead(out _);
                await FetchAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        await listening.ConfigureAwait(false);
    }

    private void ReadAll()
    {
        Volatile.Write(ref _readAll, 1);
        _kicks.Writer.TryWrite(true);
    }

    private async Task FetchAsync(CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            _cursor = Math.Max(_cursor, delivered());
            var target = Volatile.Read(ref _target);
            var readAll = Interlocked.Exchange(ref _readAll, 0) == 1;
            if (!readAll && target <= _cursor) return;
            IReadOnlyList<StoredMessage> page;
            try
            {
                page = await store.ReadAfterAsync(_cursor, PageSize, stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                PipelineLog.ClusterReadFailed(logger, (int)delay.TotalMilliseconds, e.Message);
                if (readAll) Volatile.Write(ref _readAll, 1);
                await Task.Delay(delay, stopping).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                continue;
            }
            var batch = new ForeignBatch();
            foreach (var message in page)
            {
                var frame = StoredFrames.Encode(message, out var offset, out var length);
                batch.Messages.Add(new ForeignMessage(message.Id, frame, offset, length, message.Timestamp));
            }
            var last = page.Count > 0 ? page[^1].Id : _cursor;
            // A short page read everything committed when it ran, and every id wanted was committed before it was wanted.
            batch.ReadThrough = page.Count < PageSize ? Math.Max(last, target) : last;
            _cursor = batch.ReadThrough;
            ServerMetrics.Add(ref metrics.ForeignMessages, page.Count);
            await broadcast.WriteAsync(BroadcastItem.FromOtherNodes(batch), stopping).ConfigureAwait(false);
            if (page.Count == PageSize) Volatile.Write(ref _readAll, 1);
        }
    }
}
