using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Xunit;

namespace Chat.UnitTests.Storage;

public abstract partial class MessageStoreContractTests
{
    private static readonly TimeSpan FastRetention = TimeSpan.FromMilliseconds(50);

    [StoreFact]
    public async Task Retention_by_rows_keeps_only_the_newest_rows()
    {
        var store = await OpenAsync(new StoreOptions { RetentionMaxRows = 5, RetentionInterval = FastRetention });

        await store.AppendAsync(Guid.NewGuid(), Batch(12), CancellationToken.None);

        await WaitUntilAsync(
            async () => (await store.ReadAfterAsync(0, 100, CancellationToken.None)).Count == 5, "pruning to 5 rows");
        var kept = await store.ReadAfterAsync(0, 100, CancellationToken.None);
        Assert.Equal(new long[] { 8, 9, 10, 11, 12 }, kept.Select(m => m.Id));
    }

    [StoreFact]
    public async Task Retention_by_days_removes_messages_older_than_the_cutoff()
    {
        var store = await OpenAsync(new StoreOptions { RetentionDays = 2, RetentionInterval = FastRetention });
        var now = DateTime.UtcNow;

        await store.AppendAsync(Guid.NewGuid(), Batch(3, "old", now.AddDays(-3)), CancellationToken.None);
        await store.AppendAsync(Guid.NewGuid(), Batch(2, "new", now.AddDays(-1)), CancellationToken.None);

        await WaitUntilAsync(
            async () => (await store.ReadAfterAsync(0, 100, CancellationToken.None)).Count == 2, "pruning the old rows");
        var kept = await store.ReadAfterAsync(0, 100, CancellationToken.None);
        Assert.Equal(new[] { "new0", "new1" }, kept.Select(m => m.Comment));
    }

    [StoreFact]
    public async Task Ids_keep_increasing_after_retention_removed_every_message()
    {
        var store = await OpenAsync(new StoreOptions { RetentionDays = 1, RetentionInterval = FastRetention });

        await store.AppendAsync(Guid.NewGuid(), Batch(4, "old", DateTime.UtcNow.AddDays(-10)), CancellationToken.None);
        await WaitUntilAsync(
            async () => (await store.ReadLatestAsync(10, CancellationToken.None)).Count == 0, "pruning everything");
        var next = await store.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None);

        Assert.Equal(5, next);
    }

    [StoreFact]
    public async Task Zero_retention_options_prune_nothing()
    {
        var store = await OpenAsync(new StoreOptions { RetentionInterval = FastRetention });

        await store.AppendAsync(Guid.NewGuid(), Batch(3, "old", DateTime.UtcNow.AddYears(-5)), CancellationToken.None);
        await Task.Delay(FastRetention * 4);

        Assert.Equal(3, (await store.ReadLatestAsync(10, CancellationToken.None)).Count);
    }
}
