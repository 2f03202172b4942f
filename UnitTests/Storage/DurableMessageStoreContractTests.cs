using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Xunit;

namespace Chat.UnitTests.Storage;

/// <summary>
/// The contract of a store on a database: instances opened by <see cref="MessageStoreContractTests.OpenAsync"/> share
/// it, it outlives them, and it can refuse a row. Every durable store derives from this; the benchmark-only
/// <see cref="InMemoryMessageStore"/> keeps only the base contract.
/// </summary>
public abstract class DurableMessageStoreContractTests : MessageStoreContractTests
{
    /// <summary>Makes the database itself refuse any row with this comment (a constraint or trigger), to fail a batch midway.</summary>
    protected abstract Task RejectCommentAsync(string comment);

    /// <summary>
    /// Creates this test's database at schema version 1 (before rooms) holding messages 1..<paramref name="count"/>
    /// (comments "old1", "old2", …) and its one id counter at <paramref name="lastId"/>.
    /// </summary>
    protected abstract Task CreateVersionOneDatabaseAsync(int count, long lastId);

    [StoreFact]
    public async Task Migrating_a_database_from_before_rooms_keeps_its_history_in_general_with_its_ids()
    {
        await CreateVersionOneDatabaseAsync(3, lastId: 5);

        var store = await OpenAsync();

        var history = await store.ReadAfterAsync(RoomName.General, 0, 10, CancellationToken.None);
        Assert.Equal(new long[] { 1, 2, 3 }, history.Select(m => m.Id));
        Assert.Equal(new[] { "old1", "old2", "old3" }, history.Select(m => m.Comment));
        Assert.Equal([new RoomSummary(RoomName.General, 5)], await store.ReadRoomsAsync(CancellationToken.None));
        Assert.Equal(6, await store.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None));
        Assert.Equal(1, await store.AppendAsync(Guid.NewGuid(), "lobby", Batch(1), CancellationToken.None));
    }

    [StoreFact]
    public async Task A_batch_key_is_honoured_by_another_store_instance_on_the_same_database()
    {
        var key = Guid.NewGuid();
        var first = await (await OpenAsync()).AppendAsync(key, Batch(2), CancellationToken.None);

        var retried = await (await OpenAsync()).AppendAsync(key, Batch(2), CancellationToken.None);

        Assert.Equal(first, retried);
        Assert.Equal(2, (await (await OpenAsync()).ReadLatestAsync(100, CancellationToken.None)).Count);
    }

    [StoreFact]
    public async Task A_batch_failing_midway_stores_nothing_and_leaves_no_gap_in_the_ids()
    {
        var store = await OpenAsync();
        await store.AppendAsync(Guid.NewGuid(), Batch(2, "before"), CancellationToken.None);
        await RejectCommentAsync("boom");
        var doomed = new[] { Message("u", "fine"), Message("u", "boom"), Message("u", "fine too") };

        await Assert.ThrowsAnyAsync<Exception>(async () => await store.AppendAsync(Guid.NewGuid(), doomed, CancellationToken.None));
        var next = await store.AppendAsync(Guid.NewGuid(), Batch(1, "after"), CancellationToken.None);

        Assert.Equal(3, next);
        var comments = (await store.ReadAfterAsync(0, 100, CancellationToken.None)).Select(m => m.Comment);
        Assert.Equal(new[] { "before0", "before1", "after0" }, comments);
    }

    [StoreFact]
    public async Task Messages_and_the_id_sequence_survive_dispose_and_reopen()
    {
        var store = await OpenAsync();
        await store.AppendAsync(Guid.NewGuid(), Batch(3, "kept"), CancellationToken.None);
        await store.DisposeAsync();

        var reopened = await OpenAsync();
        var kept = await reopened.ReadLatestAsync(10, CancellationToken.None);
        var next = await reopened.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None);

        Assert.Equal(new[] { "kept0", "kept1", "kept2" }, kept.Select(m => m.Comment));
        Assert.Equal(4, next);
    }

    [StoreFact]
    public async Task Concurrent_appenders_on_separate_instances_never_duplicate_an_id_and_a_reader_never_sees_a_gap()
    {
        await AssertConcurrentAppendsAreDenseAsync([await OpenAsync(), await OpenAsync()], await OpenAsync());
    }
}
