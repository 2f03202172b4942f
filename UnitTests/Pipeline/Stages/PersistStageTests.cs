using Chat.Pipeline;
using Chat.Pipeline.Items;
using Chat.Pipeline.Stages;
using Chat.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>
/// The persist stage alone, on the real in-memory store: encoded chat messages in; stored, then out as one committed
/// batch per room with the store's first id, Join and Closed kept in their places.
/// </summary>
public sealed class PersistStageTests
{
    private static Task<List<BroadcastItem>> RunAsync(StageHarness harness, IMessageStore store, params MessageItem[] items) =>
        StageHarness.RunAsync<MessageItem, BroadcastItem>((input, output) => new PersistStage(input, output, store, PersistBatch.Pool(1), new StoreHealth(store),
            harness.Options, harness.Metrics, NullLogger.Instance, harness.Rooms.General, CancellationToken.None).RunAsync, items);

    private static void Release(IEnumerable<BroadcastItem> written)
    {
        foreach (var item in written)
        {
            foreach (var entry in item.Batch!.Entries) entry.Frame?.Release();
        }
    }

    [Fact]
    public async Task Messages_queued_together_are_stored_in_one_batch_and_come_out_after_it_with_the_first_id_and_their_neighbours_in_order()
    {
        await using var harness = new StageHarness();
        var (alice, _) = await harness.UpgradedSessionAsync("alice");
        var (bob, _) = await harness.UpgradedSessionAsync("bob");

        await using var store = await StageHarness.StoreAsync();
        var written = await RunAsync(harness, store,
            StageHarness.EncodedChat(alice, "one"), MessageItem.Closed(bob), StageHarness.EncodedChat(alice, "two"));

        var committed = Assert.Single(written);
        Assert.Equal(BroadcastItemKind.Batch, committed.Kind);
        var batch = committed.Batch!;
        Assert.Same(harness.Rooms.General, batch.Room);
        Assert.Equal([ItemKind.Chat, ItemKind.Closed, ItemKind.Chat], batch.Entries.ToArray().Select(e => e.Kind));
        var stored = await store.ReadLatestAsync(RoomName.General, 10, CancellationToken.None);
        Assert.Equal(["one", "two"], stored.Select(m => m.Comment));
        Assert.Equal(stored[0].Id, batch.FirstId);
        Assert.All(stored, m => Assert.Equal("alice", m.Username));
        Assert.Equal(2, harness.Metrics.MessagesStored);
        Release(written);
    }

    [Fact]
    public async Task Each_room_gets_its_own_batch_and_its_own_ids()
    {
        await using var harness = new StageHarness();
        var (inGeneral, _) = await harness.UpgradedSessionAsync("g");
        var (inKitchen, _) = await harness.UpgradedSessionAsync("k", room: "kitchen");

        await using var store = await StageHarness.StoreAsync();
        var written = await RunAsync(harness, store,
            StageHarness.EncodedChat(inGeneral, "g1"), StageHarness.EncodedChat(inKitchen, "k1"), StageHarness.EncodedChat(inGeneral, "g2"));

        Assert.Equal(2, written.Count);
        var general = written.Single(w => w.Batch!.Room == harness.Rooms.General).Batch!;
        var kitchen = written.Single(w => w.Batch!.Room.Name == "kitchen").Batch!;
        Assert.Equal(2, general.RowCount);
        Assert.Equal(1, kitchen.RowCount);
        Assert.Equal(["g1", "g2"], (await store.ReadLatestAsync(RoomName.General, 10, CancellationToken.None)).Select(m => m.Comment));
        var kitchenRows = await store.ReadLatestAsync("kitchen", 10, CancellationToken.None);
        Assert.Equal(["k1"], kitchenRows.Select(m => m.Comment));
        Assert.Equal(kitchenRows[0].Id, kitchen.FirstId);
        Release(written);
    }

    [Fact]
    public async Task A_batch_of_only_Closed_items_is_passed_on_without_touching_the_store()
    {
        await using var harness = new StageHarness();
        var (alice, _) = await harness.UpgradedSessionAsync("alice");
        var (bob, _) = await harness.UpgradedSessionAsync("bob");

        await using var store = await StageHarness.StoreAsync();
        var written = await RunAsync(harness, store, MessageItem.Closed(alice), MessageItem.Closed(bob));

        var batch = Assert.Single(written).Batch!;
        Assert.Equal(0, batch.RowCount);
        Assert.Equal([ItemKind.Closed, ItemKind.Closed], batch.Entries.ToArray().Select(e => e.Kind));
        Assert.Empty(await store.ReadLatestAsync(RoomName.General, 10, CancellationToken.None));
        Assert.Equal(0, harness.Metrics.MessagesStored);
    }
}
