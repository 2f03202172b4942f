using System.Collections.Concurrent;
using System.Threading.Channels;
using Chat.Reactor;
using Chat.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Presence;

/// <summary>
/// Carries presence between this node's broadcast stage and the other nodes, through the store, on a worker of its
/// own so that the stage never waits on the database. The stage offers each room's local set when it changed (at most
/// once a tick); this worker writes the changed rooms, renews the whole set under its lease every
/// <see cref="Renewal"/>, and reads the other nodes' rows when one of them announced a change (NOTIFY, through the
/// commit feed) and every <see cref="Reload"/>, leaving the union per room for the stage's next tick. A failed write or
/// read is logged (limited) and tried again at the next round: presence may lag during a store outage, chat does not.
/// </summary>
/// <remarks>
/// A node killed without a goodbye stops renewing; its rows expire <see cref="Lease"/> after their last renewal and the
/// other nodes stop counting them at their next read, at most <see cref="Reload"/> later: 15 + 5 = 20 s after the
/// kill at worst, plus a tick, inside the 30 s the contract allows even with a renewal a few seconds late.
/// </remarks>
internal sealed class PresenceSync(IPresenceStore store, ILogger logger)
{
    /// <summary>How long a published row counts without renewal.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    /// <summary>How often this node rewrites its whole set (a third of the lease: two renewals may fail in a row).</summary>
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(5);

    /// <summary>How often the other nodes' rows are read without being told (finds expired nodes; covers lost notifications).</summary>
    public static readonly TimeSpan Reload = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(3);

    // This node's latest set per room (kept whole for renewals) and the rooms changed since their last write.
    private readonly ConcurrentDictionary<string, PresenceRow> _local = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _changed = new(StringComparer.Ordinal);
    private readonly Channel<bool> _kicks = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly LogLimiter _writeFailures = new();
    private readonly LogLimiter _readFailures = new();
    private int _reloadWanted = 1;
    private int _leaving;
    // The other nodes' union per room, latest read; taken by the broadcast stage's tick.
    private Dictionary<string, PresenceRow>? _inbox;

    /// <summary>The room's set on this node changed (broadcast stage's thread; never waits).</summary>
    public void Offer(string room, string[] names, int connections)
    {
        _local[room] = new PresenceRow(room, names, connections);
        _changed[room] = 0;
        _kicks.Writer.TryWrite(true);
    }

    /// <summary>Another node announced a change, or the feed reconnected (any thread; never waits).</summary>
    public void ReloadSoon()
    {
        Volatile.Write(ref _reloadWanted, 1);
        _kicks.Writer.TryWrite(true);
    }

    /// <summary>
    /// The node is stopping and has told its clients so: its rows go now, not when the stop ends, and nothing is
    /// written after them (any thread).
    /// </summary>
    public void Leave()
    {
        Volatile.Write(ref _leaving, 1);
        _kicks.Writer.TryWrite(true);
    }

    /// <summary>The other nodes' presence per room when a newer read is there since the last call, else null (broadcast stage).</summary>
    public Dictionary<string, PresenceRow>? TakeRemote() => Interlocked.Exchange(ref _inbox, null);

    public async Task RunAsync(CancellationToken stopping)
    {
        var nextRenewal = Environment.TickCount64 + (long)Renewal.TotalMilliseconds;
        var nextReload = Environment.TickCount64;
        try
        {
            while (Volatile.Read(ref _leaving) == 0)
            {
                if (!_changed.IsEmpty) await WriteChangedAsync(stopping).ConfigureAwait(false);
                if (Environment.TickCount64 >= nextRenewal)
                {
                    nextRenewal = Environment.TickCount64 + (long)(await RenewAsync(stopping).ConfigureAwait(false) ? Renewal : RetryDelay).TotalMilliseconds;
                }
                if (Interlocked.Exchange(ref _reloadWanted, 0) == 1 || Environment.TickCount64 >= nextReload)
                {
                    var read = await ReadOthersAsync(stopping).ConfigureAwait(false);
                    if (!read) Volatile.Write(ref _reloadWanted, 1);
                    nextReload = Environment.TickCount64 + (long)(read ? Reload : RetryDelay).TotalMilliseconds;
                }
                // One round a tick at most: changes that come meanwhile go out together.
                await Task.Delay(PresenceClock.Interval, stopping).ConfigureAwait(false);
                var wait = Math.Max(0, Math.Min(nextRenewal, nextReload) - Environment.TickCount64);
                if (Volatile.Read(ref _leaving) == 0) await WaitForKickAsync(TimeSpan.FromMilliseconds(wait), stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        await RemoveAsync().ConfigureAwait(false);
    }

    private async Task WaitForKickAsync(TimeSpan wait, CancellationToken stopping)
    {
        if (wait == TimeSpan.Zero || _kicks.Reader.TryRead(out _)) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(wait);
        try
        {
            await _kicks.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
        }
    }

    private async Task WriteChangedAsync(CancellationToken stopping)
    {
        var rows = new List<PresenceRow>();
        foreach (var room in _changed.Keys)
        {
            _changed.TryRemove(room, out _);
            if (_local.TryGetValue(room, out var row)) rows.Add(row);
        }
        try
        {
            await store.PublishAsync(rows, replaceAll: false, Lease, stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e, stopping))
        {
            // Written again next round, unless a newer change of the room is queued already.
            foreach (var row in rows) _changed.TryAdd(row.Room, 0);
            if (_writeFailures.TryAcquire(out var suppressed)) PipelineLog.PresenceWriteFailed(logger, suppressed, e.Message);
            return;
        }
        Forget(rows);
    }

    private async Task<bool> RenewAsync(CancellationToken stopping)
    {
        var rows = _local.Values.Where(r => r.Connections > 0).ToList();
        try
        {
            await store.PublishAsync(rows, replaceAll: true, Lease, stopping).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsStoreFailure(e, stopping))
        {
            if (_writeFailures.TryAcquire(out var suppressed)) PipelineLog.PresenceWriteFailed(logger, suppressed, e.Message);
            return false;
        }
    }

    private async Task<bool> ReadOthersAsync(CancellationToken stopping)
    {
        IReadOnlyList<PresenceRow> rows;
        try
        {
            rows = await store.ReadOthersAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e, stopping))
        {
            if (_readFailures.TryAcquire(out var suppressed)) PipelineLog.PresenceReadFailed(logger, suppressed, e.Message);
            return false;
        }
        var union = new Dictionary<string, (HashSet<string> Names, int Connections)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!RoomName.IsValid(row.Room)) continue;
            if (!union.TryGetValue(row.Room, out var room)) room = (new HashSet<string>(StringComparer.Ordinal), 0);
            room.Names.UnionWith(row.Names);
            union[row.Room] = (room.Names, room.Connections + row.Connections);
        }
        Volatile.Write(ref _inbox, union.ToDictionary(
            p => p.Key, p => new PresenceRow(p.Key, [.. p.Value.Names.Order(StringComparer.Ordinal)], p.Value.Connections), StringComparer.Ordinal));
        return true;
    }

    /// <summary>Rooms this node left are kept until written; then they go, unless the room changed again meanwhile.</summary>
    private void Forget(List<PresenceRow> written)
    {
        foreach (var row in written)
        {
            if (row.Connections == 0) _local.TryRemove(new KeyValuePair<string, PresenceRow>(row.Room, row));
        }
    }

    // A clean stop takes this node out at once rather than when its lease runs out.
    private async Task RemoveAsync()
    {
        using var timeout = new CancellationTokenSource(RemoveTimeout);
        try
        {
            await store.RemoveAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e, timeout.Token))
        {
            PipelineLog.PresenceWriteFailed(logger, 0, e.Message);
        }
    }

    private static bool IsStoreFailure(Exception e, CancellationToken stopping) =>
        e is not OutOfMemoryException && !(e is OperationCanceledException && stopping.IsCancellationRequested);
}
