using Chat.Reactor;
using System.Diagnostics;
using System.Threading.Channels;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Rooms;
using Chat.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 7: group commit. Takes everything queued (up to the batch cap), splits it by room (ids are per room), stores
/// each room's part in one transaction, the rooms' transactions at once, and only then hands the batches to broadcast,
/// so no client ever sees a message that is not durable. A failed batch is retried with
/// backoff under the same idempotency key (never half-stored, never stored twice); meanwhile the channels fill and
/// the reads stop. Once the pipeline is stopped past its drain deadline (<paramref name="stopping"/>), a batch that
/// still cannot be stored is abandoned unbroadcast, so that a dead store cannot hold the process past its deadline.
/// </summary>
internal sealed class PersistStage(
    ChannelReader<MessageItem> input,
    ChannelWriter<BroadcastItem> output,
    IMessageStore store,
    ObjectPool<PersistBatch> batches,
    StoreHealth health,
    PipelineOptions options,
    ServerMetrics metrics,
    ILogger logger,
    Room general,
    CancellationToken stopping)
{
    private readonly List<PersistBatch> _open = [];
    private readonly List<Task<bool>> _storing = [];

    private static readonly Task<bool> NothingToStore = Task.FromResult(true);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    public async Task RunAsync()
    {
        while (await input.WaitToReadAsync().ConfigureAwait(false))
        {
            for (var rows = 0; rows < options.MaxBatchSize && input.TryRead(out var item);)
            {
                // A connection closed before its upgrade has no room; its Closed item only passes through.
                var room = item.Session.Member?.Room ?? general;
                var batch = room.Pending;
                if (batch is null)
                {
                    batch = room.Pending = batches.Get();
                    batch.Room = room;
                    _open.Add(batch);
                }
                batch.Add(item);
                if (item.Kind == ItemKind.Chat) rows++;
            }
            if (_open.Count == 1)
            {
                await Settle(_open[0], _open[0].RowCount == 0 || await StoreAsync(_open[0]).ConfigureAwait(false)).ConfigureAwait(false);
            }
            else
            {
                // Rooms have their own id sequences: their transactions run at once (the store serialises one room's).
                // Each room's batch goes on once its own commit is done; Task.WhenAll would allocate per group commit.
                foreach (var batch in _open) _storing.Add(batch.RowCount == 0 ? NothingToStore : StoreAsync(batch));
                for (var i = 0; i < _open.Count; i++) await Settle(_open[i], await _storing[i].ConfigureAwait(false)).ConfigureAwait(false);
                _storing.Clear();
            }
            _open.Clear();
        }
        output.TryComplete();
    }

    private async Task Settle(PersistBatch batch, bool stored)
    {
        batch.Room.Pending = null;
        if (stored) await output.WriteAsync(BroadcastItem.Committed(batch)).ConfigureAwait(false);
        else Abandon(batch);
    }

    /// <summary>True once stored; false when the pipeline stopped while the store was still failing.</summary>
    private async Task<bool> StoreAsync(PersistBatch batch)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                // Cancelled only past the drain deadline: an unacknowledged batch, so an unknown outcome is safe (never broadcast).
                batch.FirstId = await store.AppendAsync(batch.Key, batch.Room.Name, batch.Rows, stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                health.PersistFailed();
                ServerMetrics.Add(ref metrics.PersistFailures);
                if (stopping.IsCancellationRequested) return false;
                PipelineLog.PersistFailed(logger, batch.RowCount, attempt, (int)delay.TotalMilliseconds, e.Message);
                try
                {
                    await Task.Delay(delay, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                continue;
            }
            if (health.PersistFailing) PipelineLog.PersistRecovered(logger, batch.RowCount, attempt);
            health.PersistSucceeded();
            metrics.CommitSeconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            metrics.BatchSize.Observe(batch.RowCount);
            ServerMetrics.Add(ref metrics.MessagesStored, batch.RowCount);
            break;
        }
        ReturnComments(batch);
        return true;
    }

    private void Abandon(PersistBatch batch)
    {
        PipelineLog.PersistAbandoned(logger, batch.RowCount);
        ReturnComments(batch);
        foreach (ref readonly var entry in batch.Entries) entry.Frame?.Release();
        batches.Return(batch);
    }

    // The frames carry the text from here on; the comment buffers were only needed by the store.
    private static void ReturnComments(PersistBatch batch)
    {
        foreach (ref readonly var entry in batch.Entries)
        {
            if (entry.Kind == ItemKind.Chat) BufferPool.Shared.Return(entry.Buffer!);
        }
    }
}
