using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Xunit;

namespace Chat.UnitTests.Storage;

public abstract partial class MessageStoreContractTests
{
    [StoreFact]
    public async Task Each_room_has_its_own_dense_id_sequence()
    {
        var store = await OpenAsync();

        var general = await store.AppendAsync(Guid.NewGuid(), RoomName.General, Batch(3), CancellationToken.None);
        var lobby = await store.AppendAsync(Guid.NewGuid(), "lobby", Batch(2), CancellationToken.None);
        var generalAgain = await store.AppendAsync(Guid.NewGuid(), RoomName.General, Batch(1), CancellationToken.None);
        var lobbyAgain = await store.AppendAsync(Guid.NewGuid(), "lobby", Batch(4), CancellationToken.None);

        Assert.Equal((1L, 1L, 4L, 3L), (general, lobby, generalAgain, lobbyAgain));
    }

    [StoreFact]
    public async Task Reads_return_only_the_named_room()
    {
        var store = await OpenAsync();
        await store.AppendAsync(Guid.NewGuid(), "a", Batch(3, "a"), CancellationToken.None);
        await store.AppendAsync(Guid.NewGuid(), "b-2_x", Batch(2, "b"), CancellationToken.None);
        await store.AppendAsync(Guid.NewGuid(), "a", Batch(1, "late-a"), CancellationToken.None);

        var a = await store.ReadAfterAsync("a", 0, 100, CancellationToken.None);
        var b = await store.ReadLatestAsync("b-2_x", 100, CancellationToken.None);
        var latestA = await store.ReadLatestAsync("a", 2, CancellationToken.None);

        Assert.Equal(new[] { "a0", "a1", "a2", "late-a0" }, a.Select(m => m.Comment));
        Assert.Equal(new long[] { 1, 2, 3, 4 }, a.Select(m => m.Id));
        Assert.Equal(new[] { "b0", "b1" }, b.Select(m => m.Comment));
        Assert.Equal(new long[] { 3, 4 }, latestA.Select(m => m.Id));
        Assert.Empty(await store.ReadLatestAsync(RoomName.General, 10, CancellationToken.None));
        Assert.Empty(await store.ReadAfterAsync("never-written", 0, 10, CancellationToken.None));
    }

    [StoreFact]
    public async Task The_general_overloads_read_and_write_the_general_room()
    {
        var store = await OpenAsync();
        await store.AppendAsync(Guid.NewGuid(), "other", Batch(5), CancellationToken.None);

        var first = await store.AppendAsync(Guid.NewGuid(), Batch(2, "g"), CancellationToken.None);

        Assert.Equal(1, first);
        Assert.Equal(new[] { "g0", "g1" }, (await store.ReadLatestAsync(10, CancellationToken.None)).Select(m => m.Comment));
        Assert.Equal(new[] { "g1" }, (await store.ReadAfterAsync(1, 10, CancellationToken.None)).Select(m => m.Comment));
        Assert.Equal(
            new[] { "g0", "g1" },
            (await store.ReadAfterAsync(RoomName.General, 0, 10, CancellationToken.None)).Select(m => m.Comment));
    }

    [StoreFact]
    public async Task Read_rooms_lists_general_and_every_room_written_sorted_with_its_last_id()
    {
        var store = await OpenAsync();
        Assert.Equal([new RoomSummary(RoomName.General, 0)], await store.ReadRoomsAsync(CancellationToken.None));

        await store.AppendAsync(Guid.NewGuid(), "zeta", Batch(2), CancellationToken.None);
        await store.AppendAsync(Guid.NewGuid(), "alpha", Batch(3), CancellationToken.None);
        await store.AppendAsync(Guid.NewGuid(), "general-2", Batch(1), CancellationToken.None);

        Assert.Equal(
            [new RoomSummary("alpha", 3), new RoomSummary(RoomName.General, 0), new RoomSummary("general-2", 1), new RoomSummary("zeta", 2)],
            await store.ReadRoomsAsync(CancellationToken.None));
    }

    [StoreFact]
    public async Task The_same_batch_key_in_another_room_returns_the_committed_batch_and_stores_nothing()
    {
        var store = await OpenAsync();
        var key = Guid.NewGuid();
        await store.AppendAsync(Guid.NewGuid(), "a", Batch(4), CancellationToken.None);
        var first = await store.AppendAsync(key, "a", Batch(2), CancellationToken.None);

        var again = await store.AppendAsync(key, "b", Batch(2), CancellationToken.None);

        Assert.Equal(first, again);
        Assert.Empty(await store.ReadAfterAsync("b", 0, 10, CancellationToken.None));
        Assert.Equal(6, (await store.ReadAfterAsync("a", 0, 10, CancellationToken.None)).Count);
    }

    [StoreFact]
    public async Task A_name_outside_the_room_alphabet_is_refused()
    {
        var store = await OpenAsync();
        string[] refused = ["", "Upper", "with space", "a:b", "ünï", new string('x', RoomName.MaxLength + 1)];

        foreach (var room in refused)
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(Guid.NewGuid(), room, Batch(1), CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => store.ReadAfterAsync(room, 0, 1, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => store.ReadLatestAsync(room, 1, CancellationToken.None));
        }

        await store.AppendAsync(Guid.NewGuid(), new string('x', RoomName.MaxLength), Batch(1), CancellationToken.None);
        Assert.Equal(2, (await store.ReadRoomsAsync(CancellationToken.None)).Count);
    }

    [StoreFact]
    public async Task Retention_by_rows_keeps_the_newest_rows_of_each_room()
    {
        var store = await OpenAsync(new StoreOptions { RetentionMaxRows = 2, RetentionInterval = FastRetention });

        await store.AppendAsync(Guid.NewGuid(), "a", Batch(5), CancellationToken.None);
        await store.AppendAsync(Guid.NewGuid(), "b", Batch(3), CancellationToken.None);
        await store.AppendAsync(Guid.NewGuid(), "c", Batch(1), CancellationToken.None);

        await WaitUntilAsync(
            async () => (await store.ReadAfterAsync("a", 0, 100, CancellationToken.None)).Count == 2
                && (await store.ReadAfterAsync("b", 0, 100, CancellationToken.None)).Count == 2,
            "pruning every room to 2 rows");
        Assert.Equal(new long[] { 4, 5 }, (await store.ReadAfterAsync("a", 0, 100, CancellationToken.None)).Select(m => m.Id));
        Assert.Equal(new long[] { 2, 3 }, (await store.ReadAfterAsync("b", 0, 100, CancellationToken.None)).Select(m => m.Id));
        Assert.Equal(new long[] { 1 }, (await store.ReadAfterAsync("c", 0, 100, CancellationToken.None)).Select(m => m.Id));
    }

    [StoreFact]
    public async Task Concurrent_appenders_in_several_rooms_keep_each_room_dense_without_duplicates()
    {
        var store = await OpenAsync();
        string[] rooms = ["r0", "r1", "r2", RoomName.General];
        const int BatchesPerRoom = 15;

        await Task.WhenAll(rooms.SelectMany(room => Enumerable.Range(0, 2).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < BatchesPerRoom; i++)
            {
                await store.AppendAsync(Guid.NewGuid(), room, Batch(1 + (i % 3), $"{room}-{writer}-{i}-"), CancellationToken.None);
            }
        }))));

        var expected = 2 * Enumerable.Range(0, BatchesPerRoom).Sum(i => 1 + (i % 3));
        foreach (var room in rooms)
        {
            var stored = await store.ReadAfterAsync(room, 0, 1000, CancellationToken.None);
            Assert.Equal(Enumerable.Range(1, expected).Select(i => (long)i), stored.Select(m => m.Id));
            Assert.All(stored, m => Assert.StartsWith(room + "-", m.Comment));
        }
    }
}
