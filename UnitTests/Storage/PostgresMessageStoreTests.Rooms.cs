using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Chat.UnitTests.Storage;

public sealed partial class PostgresMessageStoreTests
{
    private static readonly TimeSpan RoomWait = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task A_batch_of_another_room_commits_while_a_room_is_locked_and_the_locked_room_waits()
    {
        var store = await OpenAsync();
        await store.AppendAsync(Guid.NewGuid(), "locked", Batch(1), CancellationToken.None);
        var other = await OpenAsync();

        await using var admin = new NpgsqlConnection(_connectionString);
        await admin.OpenAsync();
        await using var hold = await admin.BeginTransactionAsync();
        await using (var lockRoom = new NpgsqlCommand("SELECT last_id FROM chat_rooms WHERE room = 'locked' FOR UPDATE", admin, hold))
        {
            await lockRoom.ExecuteScalarAsync();
        }

        var blocked = store.AppendAsync(Guid.NewGuid(), "locked", Batch(1), CancellationToken.None).AsTask();
        var free = await other.AppendAsync(Guid.NewGuid(), "free", Batch(2), CancellationToken.None).AsTask().WaitAsync(RoomWait);
        var general = await other.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None).AsTask().WaitAsync(RoomWait);

        Assert.Equal((1L, 1L), (free, general));
        Assert.False(blocked.IsCompleted);
        await hold.RollbackAsync();
        Assert.Equal(2, await blocked.WaitAsync(RoomWait));
    }

    [PostgresFact]
    public async Task The_commit_feed_reports_commits_and_signals_of_other_instances_only()
    {
        var writer = await OpenAsync(new StoreOptions { InstanceId = "writer" });
        var own = await OpenAsync(new StoreOptions { InstanceId = "reader" });
        await using var feed = new PostgresCommitFeed(_connectionString, new StoreOptions { InstanceId = "reader" }, NullLogger<PostgresCommitFeed>.Instance);
        var heard = new List<(string Room, long LastId)>();
        var signals = new List<(string Room, string Payload)>();
        var gotSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gotTwo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var running = feed.RunAsync(
            (room, lastId) =>
            {
                lock (heard)
                {
                    heard.Add((room, lastId));
                    if (heard.Count == 2) gotTwo.TrySetResult();
                }
            },
            (room, payload) =>
            {
                lock (signals)
                {
                    signals.Add((room, payload));
                    gotSignal.TrySetResult();
                }
            },
            _ => { },
            () => connected.TrySetResult(),
            stop.Token);
        await connected.Task.WaitAsync(RoomWait);

        await own.AppendAsync(Guid.NewGuid(), "mine", Batch(2), CancellationToken.None);
        await writer.AppendAsync(Guid.NewGuid(), "lobby_1", Batch(3), CancellationToken.None);
        await writer.AppendAsync(Guid.NewGuid(), Batch(2), CancellationToken.None);
        await using var writerFeed = new PostgresCommitFeed(_connectionString, new StoreOptions { InstanceId = "writer" }, NullLogger<PostgresCommitFeed>.Instance);
        Assert.True(await feed.PublishAsync("mine", "{\"own\":true}", CancellationToken.None));
        Assert.True(await writerFeed.PublishAsync("call", "{\"messageType\":\"webRTC-offer\",\"note\":\"a:b\"}", CancellationToken.None));
        Assert.False(await writerFeed.PublishAsync("call", new string('x', 8000), CancellationToken.None));
        await gotTwo.Task.WaitAsync(RoomWait);
        await gotSignal.Task.WaitAsync(RoomWait);
        await stop.CancelAsync();
        await running.WaitAsync(RoomWait);

        lock (heard)
        {
            Assert.Equal([("lobby_1", 3L), (RoomName.General, 2L)], heard);
        }
        lock (signals)
        {
            Assert.Equal([("call", "{\"messageType\":\"webRTC-offer\",\"note\":\"a:b\"}")], signals);
        }
    }
}
