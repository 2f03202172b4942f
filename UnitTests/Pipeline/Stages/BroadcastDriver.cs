using System.Diagnostics;
using System.Threading.Channels;
using Chat.Pipeline.Items;
using Chat.Pipeline.Replay;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>
/// The broadcast stage running over in-memory channels while the case feeds it: joins go to its join channel as the
/// handshake posts them, batches to its input as persist hands them on. The stage takes every waiting join before each
/// item, so a case that wants a join handled after a batch waits until the stage took that batch, then posts the join.
/// </summary>
internal sealed class BroadcastDriver : IAsyncDisposable
{
    // Not SingleReader: the case counts what the stage has not taken yet.
    private readonly Channel<BroadcastItem> _inbound = Channel.CreateUnbounded<BroadcastItem>();
    private readonly InMemoryMessageStore _store;
    private readonly JoinChannel _joins;
    private readonly Task _running;

    private BroadcastDriver(StageHarness harness, InMemoryMessageStore store)
    {
        _store = store;
        _joins = new JoinChannel(_inbound.Writer);
        var replayer = new Replayer(store, _inbound.Writer, harness.Options.ReplayDrainTimeout, harness.Metrics, NullLogger.Instance, harness.Faults);
        var stage = new BroadcastStage(_inbound.Reader, _joins, PersistBatch.Pool(harness.Options.MaxRooms), replayer, harness.Rooms,
            harness.Options, harness.Metrics, harness.Faults);
        _running = Task.Run(stage.RunAsync);
    }

    public static async Task<BroadcastDriver> StartAsync(StageHarness harness) => new(harness, await StageHarness.StoreAsync());

    /// <summary>A join as the handshake posts it, its 101 queued at <paramref name="switchedAt"/> (default now).</summary>
    public void Join(Session session, long since = -1, long? switchedAt = null) =>
        _joins.Post(new JoinItem(session, since, switchedAt ?? Stopwatch.GetTimestamp()));

    /// <summary>Hands the batch on and waits until the stage took it: a join posted after this is handled after the batch.</summary>
    public async Task CommitAsync(PersistBatch batch)
    {
        Post(BroadcastItem.Committed(batch));
        await TakenAsync();
    }

    /// <summary>Any item, as persist, the cluster feed or the presence clock writes it.</summary>
    public void Post(BroadcastItem item) => Assert.True(_inbound.Writer.TryWrite(item));

    /// <summary>Waits until the stage took every join and item posted so far.</summary>
    public Task TakenAsync() => UntilAsync(() => _inbound.Reader.Count == 0 && _joins.Count == 0, "the stage took every item");

    /// <summary>True while the stage runs: a stage that stopped on an exception fails the case at its next look.</summary>
    public bool Running => !_running.IsCompleted;

    /// <summary>Hands the batch on and waits until the stage delivered the room's messages up to <paramref name="lastId"/>.</summary>
    public async Task DeliveredAsync(PersistBatch batch, long lastId)
    {
        var room = batch.Room;
        Assert.True(_inbound.Writer.TryWrite(BroadcastItem.Committed(batch)));
        await UntilAsync(() => room.LastId == lastId, $"room {room.Name} delivered up to {lastId}");
    }

    /// <summary>A batch as the persist stage hands it on: <paramref name="entries"/> of one room, stored from <paramref name="firstId"/>.</summary>
    public static PersistBatch Batch(Room room, long firstId, params MessageItem[] entries)
    {
        var batch = new PersistBatch { Room = room };
        foreach (var entry in entries) batch.Add(entry);
        batch.FirstId = firstId;
        return batch;
    }

    /// <summary>A chat message of <paramref name="sender"/> as encode leaves it, its credit taken as escape takes it.</summary>
    public static MessageItem Said(Session sender, string comment)
    {
        sender.Pending.Add(int.MaxValue);
        return StageHarness.EncodedChat(sender, comment);
    }

    private static Task UntilAsync(Func<bool> condition, string what) => Until.TrueAsync(condition, StageHarness.Within, what, pollMilliseconds: 1);

    /// <summary>Completes the input and waits for the stage to finish everything it was given.</summary>
    public async ValueTask DisposeAsync()
    {
        _inbound.Writer.TryComplete();
        try
        {
            await _running.WaitAsync(StageHarness.Within);
        }
        finally
        {
            await _store.DisposeAsync();
        }
    }
}
