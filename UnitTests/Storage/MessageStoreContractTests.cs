using System.Text;
using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Xunit;

namespace Chat.UnitTests.Storage;

/// <summary>
/// The contract every <see cref="IMessageStore"/> keeps within one instance, run against each store by a derived class.
/// Each test gets a database of its own; <see cref="OpenAsync"/> opens (and initializes) another store instance on it.
/// What only a database gives (instances sharing it, surviving a reopen) is <see cref="DurableMessageStoreContractTests"/>.
/// </summary>
public abstract partial class MessageStoreContractTests : IAsyncLifetime
{
    private static readonly DateTime BaseTime = new(2026, 11, 28, 6, 0, 0, 123, DateTimeKind.Utc);
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(20);
    private readonly List<IMessageStore> _stores = [];

    public abstract Task InitializeAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    /// <summary>A new, not yet initialized store instance on this test's database.</summary>
    protected abstract IMessageStore CreateStore(StoreOptions options);

    protected async Task<IMessageStore> OpenAsync(StoreOptions? options = null)
    {
        var store = CreateStore(options ?? new StoreOptions());
        _stores.Add(store);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    protected static NewMessage Message(string username, string comment, DateTime? timestamp = null) =>
        new(Encoding.UTF8.GetBytes(username), Encoding.UTF8.GetBytes(comment), timestamp ?? BaseTime);

    protected static NewMessage[] Batch(int count, string prefix = "m", DateTime? timestamp = null) =>
        Enumerable.Range(0, count).Select(i => Message("User1", $"{prefix}{i}", timestamp)).ToArray();

    [StoreFact]
    public async Task Round_trip_keeps_username_comment_and_timestamp_bytes_exact()
    {
        var store = await OpenAsync();
        string[] comments =
        [
            "plain",
            "&quot;quoted&quot; and 'single' and \"double\"",
            @"back\slash \\ \n \u0041",
            "controls \u0001\u0002\t\n\r\u001b\u001f\u007f end",
            "emoji 😀👍🏽 and 4-byte 𝄞 and CJK 漢字",
            new string('x', 4096),
            string.Concat(Enumerable.Repeat("é😀", 1366))[..4096],
        ];
        var batch = comments
            .Select((comment, i) => Message($"Usér{i}&amp;", comment, BaseTime.AddMilliseconds(i)))
            .ToArray();

        var firstId = await store.AppendAsync(Guid.NewGuid(), batch, CancellationToken.None);
        var stored = await store.ReadAfterAsync(firstId - 1, 100, CancellationToken.None);

        Assert.Equal(batch.Length, stored.Count);
        for (var i = 0; i < batch.Length; i++)
        {
            Assert.Equal(firstId + i, stored[i].Id);
            Assert.Equal(batch[i].Username.ToArray(), Encoding.UTF8.GetBytes(stored[i].Username));
            Assert.Equal(batch[i].Comment.ToArray(), Encoding.UTF8.GetBytes(stored[i].Comment));
            Assert.Equal(batch[i].Timestamp, stored[i].Timestamp);
            Assert.Equal(DateTimeKind.Utc, stored[i].Timestamp.Kind);
        }
    }

    [StoreFact]
    public async Task Nul_and_invalid_utf8_are_stored_as_replacement_characters()
    {
        var store = await OpenAsync();
        var invalid = new NewMessage("a\0b"u8.ToArray(), new byte[] { 0x61, 0xFF, 0x62, 0xC3 }, BaseTime);

        var id = await store.AppendAsync(Guid.NewGuid(), new[] { invalid }, CancellationToken.None);
        var stored = Assert.Single(await store.ReadAfterAsync(id - 1, 10, CancellationToken.None));

        Assert.Equal("a\uFFFDb", stored.Username);
        Assert.Equal("a\uFFFDb\uFFFD", stored.Comment);
    }

    [StoreFact]
    public async Task Timestamps_come_back_utc_truncated_to_the_millisecond()
    {
        var store = await OpenAsync();
        var precise = BaseTime.AddTicks(9_999);
        var unspecified = DateTime.SpecifyKind(BaseTime.AddSeconds(1), DateTimeKind.Unspecified);

        var id = await store.AppendAsync(
            Guid.NewGuid(), new[] { Message("u", "a", precise), Message("u", "b", unspecified) }, CancellationToken.None);
        var stored = await store.ReadAfterAsync(id - 1, 10, CancellationToken.None);

        Assert.Equal(BaseTime, stored[0].Timestamp);
        Assert.Equal(BaseTime.AddSeconds(1), stored[1].Timestamp);
        Assert.All(stored, m => Assert.Equal(DateTimeKind.Utc, m.Timestamp.Kind));
    }

    [StoreFact]
    public async Task Ids_are_dense_and_increase_from_batch_to_batch()
    {
        var store = await OpenAsync();

        var first = await store.AppendAsync(Guid.NewGuid(), Batch(3), CancellationToken.None);
        var second = await store.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None);
        var third = await store.AppendAsync(Guid.NewGuid(), Batch(5), CancellationToken.None);

        Assert.Equal(1, first);
        Assert.Equal(first + 3, second);
        Assert.Equal(second + 1, third);
        var ids = (await store.ReadAfterAsync(0, 100, CancellationToken.None)).Select(m => m.Id);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), ids);
    }

    [StoreFact]
    public async Task Read_latest_returns_the_newest_messages_oldest_first()
    {
        var store = await OpenAsync();
        await store.AppendAsync(Guid.NewGuid(), Batch(10), CancellationToken.None);

        var latest = await store.ReadLatestAsync(4, CancellationToken.None);
        var all = await store.ReadLatestAsync(100, CancellationToken.None);

        Assert.Equal(new long[] { 7, 8, 9, 10 }, latest.Select(m => m.Id));
        Assert.Equal(new[] { "m6", "m7", "m8", "m9" }, latest.Select(m => m.Comment));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), all.Select(m => m.Id));
    }

    [StoreFact]
    public async Task Read_after_returns_later_messages_ascending_up_to_the_limit()
    {
        var store = await OpenAsync();
        await store.AppendAsync(Guid.NewGuid(), Batch(10), CancellationToken.None);

        var page = await store.ReadAfterAsync(3, 4, CancellationToken.None);
        var rest = await store.ReadAfterAsync(7, 100, CancellationToken.None);
        var none = await store.ReadAfterAsync(10, 100, CancellationToken.None);

        Assert.Equal(new long[] { 4, 5, 6, 7 }, page.Select(m => m.Id));
        Assert.Equal(new long[] { 8, 9, 10 }, rest.Select(m => m.Id));
        Assert.Empty(none);
    }

    [StoreFact]
    public async Task Reads_of_an_empty_store_or_with_limit_zero_are_empty()
    {
        var store = await OpenAsync();

        Assert.Empty(await store.ReadLatestAsync(10, CancellationToken.None));
        Assert.Empty(await store.ReadAfterAsync(0, 10, CancellationToken.None));
        await store.AppendAsync(Guid.NewGuid(), Batch(2), CancellationToken.None);
        Assert.Empty(await store.ReadLatestAsync(0, CancellationToken.None));
        Assert.Empty(await store.ReadAfterAsync(0, 0, CancellationToken.None));
    }

    [StoreFact]
    public async Task Same_batch_key_twice_stores_once_and_returns_the_first_id_of_the_committed_batch()
    {
        var store = await OpenAsync();
        var key = Guid.NewGuid();
        await store.AppendAsync(Guid.NewGuid(), Batch(2, "before"), CancellationToken.None);

        var first = await store.AppendAsync(key, Batch(3, "once"), CancellationToken.None);
        await store.AppendAsync(Guid.NewGuid(), Batch(1, "between"), CancellationToken.None);
        var retried = await store.AppendAsync(key, Batch(3, "once"), CancellationToken.None);
        var next = await store.AppendAsync(Guid.NewGuid(), Batch(1, "after"), CancellationToken.None);

        Assert.Equal(3, first);
        Assert.Equal(first, retried);
        Assert.Equal(7, next);
        var comments = (await store.ReadAfterAsync(0, 100, CancellationToken.None)).Select(m => m.Comment);
        Assert.Equal(new[] { "before0", "before1", "once0", "once1", "once2", "between0", "after0" }, comments);
    }

    [StoreFact]
    public async Task A_cancelled_append_stores_nothing()
    {
        var store = await OpenAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await store.AppendAsync(Guid.NewGuid(), Batch(2), new CancellationToken(canceled: true)));
        var next = await store.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None);

        Assert.Equal(1, next);
    }

    [StoreFact]
    public async Task An_empty_batch_is_refused()
    {
        var store = await OpenAsync();

        await Assert.ThrowsAsync<ArgumentException>(
            async () => await store.AppendAsync(Guid.NewGuid(), ReadOnlyMemory<NewMessage>.Empty, CancellationToken.None));
    }

    [StoreFact]
    public async Task Initialize_twice_is_a_no_op()
    {
        var store = await OpenAsync();
        await store.AppendAsync(Guid.NewGuid(), Batch(2), CancellationToken.None);

        await store.InitializeAsync(CancellationToken.None);
        await (await OpenAsync()).InitializeAsync(CancellationToken.None);

        Assert.Equal(2, (await store.ReadLatestAsync(10, CancellationToken.None)).Count);
        Assert.Equal(3, await store.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None));
    }

    [StoreFact]
    public async Task Ping_answers_true_for_an_open_store()
    {
        var store = await OpenAsync();

        Assert.True(await store.PingAsync(CancellationToken.None));
    }

    [StoreFact]
    public async Task Calls_after_dispose_throw_object_disposed_but_ping_answers_false()
    {
        var store = await OpenAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(
            async () => await store.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ReadLatestAsync(1, CancellationToken.None));
        Assert.False(await store.PingAsync(CancellationToken.None));
    }

    protected static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Until.TrueAsync(condition, PollTimeout, what, pollMilliseconds: 20);
}
