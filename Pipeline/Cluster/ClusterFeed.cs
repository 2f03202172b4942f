using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Presence;
using Chat.Pipeline.Replay;
using Chat.Pipeline.Rooms;
using Chat.Reactor;
using Chat.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Cluster;

/// <summary>
/// Brings other nodes' messages to this node's broadcast stage, room by room: when the commit feed reports a batch a
/// room got elsewhere (or broadcast finds its own batch is not next in its room's id order), reads every stored
/// message of that room after what was delivered there, in id order, and posts them as a <see cref="ForeignBatch"/>.
/// After a lost feed connection it reads every known room after its cursor, so nothing is missed.
/// </summary>
internal sealed class ClusterFeed(
    IMessageStore store,
    ICommitFeed feed,
    RoomDirectory rooms,
    ChannelWriter<BroadcastItem> broadcast,
    ServerMetrics metrics,
    ILogger logger)
{
    public const int PageSize = 1000;

    /// <summary>The error frame's reason for a signal that cannot reach the other nodes.</summary>
    public const string SignalTooLarge = "signal too large to relay to the other nodes (NOTIFY payloads stop below 8000 bytes)";
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private readonly Channel<bool> _kicks = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentQueue<Room> _due = new();
    private readonly LogLimiter _publishFailures = new();
    // Signals wait here for the publisher; a full queue drops them (counted): signalling is best effort, never a brake.
    private readonly Channel<(Room Room, string Payload)> _outgoing = Channel.CreateBounded<(Room, string)>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Told when other nodes' presence changed or the feed reconnected.</summary>
    public PresenceSync? PresenceSync { get; set; }

    /// <summary>
    /// Sends a signalling payload (the relayed JSON) to the room's connections on the other nodes (broadcast's thread).
    /// False, and nothing sent, when it is too large for the feed: the sender gets an error rather than a call that
    /// reaches some members of the room and not others.
    /// </summary>
    public bool Publish(Room room, ReadOnlySpan<byte> payload)
    {
        if (!feed.Fits(room.Name, payload.Length))
        {
            ServerMetrics.Add(ref metrics.SignalsDropped);
            return false;
        }
        if (!_outgoing.Writer.TryWrite((room, Encoding.UTF8.GetString(payload)))) ServerMetrics.Add(ref metrics.SignalsDropped);
        return true;
    }

    /// <summary>Asks for every message of the room up to <paramref name="id"/> (any thread).</summary>
    public void Want(Room room, long id)
    {
        long seen;
        do
        {
            seen = Volatile.Read(ref room.ClusterTarget);
            if (id <= seen) break;
        }
        while (Interlocked.CompareExchange(ref room.ClusterTarget, id, seen) != seen);
        Enqueue(room);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        // A room another node wrote to exists from then on, here too: it is not a handshake's to refuse.
        var listening = feed.RunAsync((name, id) => Want(rooms.Known(name), id), Signalled, _ => PresenceSync?.ReloadSoon(), Connected, stopping);
        var publishing = PublishAsync(stopping);
        try
        {
            while (await _kicks.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                _kicks.Reader.TryRead(out _);
                while (_due.TryDequeue(out var room))
                {
                    Volatile.Write(ref room.ClusterQueued, 0);
                    await FetchAsync(room, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        await listening.ConfigureAwait(false);
        await publishing.ConfigureAwait(false);
    }

    private async Task PublishAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var (room, payload) in _outgoing.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    if (!await feed.PublishAsync(room.Name, payload, stopping).ConfigureAwait(false)) ServerMetrics.Add(ref metrics.SignalsDropped);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    // Best effort, never a brake: the signal is dropped and counted, and an outage is a few lines, not one per signal.
                    ServerMetrics.Add(ref metrics.SignalsDropped);
                    if (_publishFailures.TryAcquire(out var suppressed)) PipelineLog.SignalPublishFailed(logger, suppressed, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    // On the feed's notification thread: never waits; a full broadcast channel (overload) drops the signal.
    private void Signalled(string name, string payload)
    {
        if (!rooms.TryGet(name, out var room) || room.LiveCount == 0) return;
        var bytes = Encoding.UTF8.GetByteCount(payload);
        var frame = SharedBuffer.Rent(bytes + 10);
        var length = SignalCodec.WritePayloadFrame(Encoding.UTF8.GetBytes(payload), frame.Span);
        if (broadcast.TryWrite(BroadcastItem.Signal(room, frame, length))) return;
        frame.Release();
        ServerMetrics.Add(ref metrics.SignalsDropped);
    }

    private void Enqueue(Room room)
    {
        if (Interlocked.Exchange(ref room.ClusterQueued, 1) == 0) _due.Enqueue(room);
        _kicks.Writer.TryWrite(true);
    }

    // Notifications sent while the feed was away are lost: read the rooms and the other nodes' presence again.
    private void Connected()
    {
        ReadAll();
        PresenceSync?.ReloadSoon();
    }

    private void ReadAll()
    {
        foreach (var room in rooms.All)
        {
            Volatile.Write(ref room.ClusterReadAll, 1);
            Enqueue(room);
        }
    }

    private async Task FetchAsync(Room room, CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            room.ClusterCursor = Math.Max(room.ClusterCursor, room.LastId);
            var target = Volatile.Read(ref room.ClusterTarget);
            var readAll = Interlocked.Exchange(ref room.ClusterReadAll, 0) == 1;
            if (!readAll && target <= room.ClusterCursor) return;
            IReadOnlyList<StoredMessage> page;
            try
            {
                page = await store.ReadAfterAsync(room.Name, room.ClusterCursor, PageSize, stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                PipelineLog.ClusterReadFailed(logger, (int)delay.TotalMilliseconds, e.Message);
                if (readAll) Volatile.Write(ref room.ClusterReadAll, 1);
                await Task.Delay(delay, stopping).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                continue;
            }
            var batch = new ForeignBatch(room);
            foreach (var message in page)
            {
                var frame = StoredFrames.Encode(message, room.NameUtf8, out var offset, out var length);
                batch.Messages.Add(new ForeignMessage(message.Id, frame, offset, length, message.Timestamp));
            }
            var last = page.Count > 0 ? page[^1].Id : room.ClusterCursor;
            // A short page read everything committed when it ran, and every id wanted was committed before it was wanted.
            batch.ReadThrough = page.Count < PageSize ? Math.Max(last, target) : last;
            room.ClusterCursor = batch.ReadThrough;
            ServerMetrics.Add(ref metrics.ForeignMessages, page.Count);
            await broadcast.WriteAsync(BroadcastItem.FromOtherNodes(batch), stopping).ConfigureAwait(false);
            if (page.Count == PageSize) Volatile.Write(ref room.ClusterReadAll, 1);
        }
    }
}
