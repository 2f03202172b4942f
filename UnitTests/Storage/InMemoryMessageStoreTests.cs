using Chat.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chat.UnitTests.Storage;

/// <summary>
/// The per-instance store contract on the benchmark-only memory store, plus what only it does. It has no database
/// that instances share or that outlives them, so the durable part of the contract does not apply.
/// </summary>
public sealed class InMemoryMessageStoreTests : MessageStoreContractTests
{
    public override Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Each_instance_is_a_store_of_its_own_that_starts_empty()
    {
        var first = await OpenAsync();
        await first.AppendAsync(Guid.NewGuid(), Batch(3), CancellationToken.None);

        var second = await OpenAsync();

        Assert.Empty(await second.ReadLatestAsync(10, CancellationToken.None));
        Assert.Equal(1, await second.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None));
    }

    [Fact]
    public async Task Its_description_says_it_is_not_durable()
    {
        var store = await OpenAsync();

        Assert.Contains("not durable", store.Description);
    }

    [Fact]
    public async Task Reads_after_retention_start_at_the_first_kept_id()
    {
        var memory = new InMemoryMessageStore(new StoreOptions { RetentionMaxRows = 3 }, NullLogger<InMemoryMessageStore>.Instance);
        await using var _ = memory;
        IMessageStore store = memory;
        await store.AppendAsync(Guid.NewGuid(), Batch(8), CancellationToken.None);

        Assert.Equal(5, await memory.PruneAsync(CancellationToken.None));

        Assert.Equal(new long[] { 6, 7, 8 }, (await store.ReadAfterAsync(0, 10, CancellationToken.None)).Select(m => m.Id));
        Assert.Equal(new long[] { 7, 8 }, (await store.ReadAfterAsync(6, 10, CancellationToken.None)).Select(m => m.Id));
        Assert.Equal(new long[] { 8 }, (await store.ReadLatestAsync(1, CancellationToken.None)).Select(m => m.Id));
        Assert.Equal(9, await store.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None));
    }

    protected override IMessageStore CreateStore(StoreOptions options) =>
        new InMemoryMessageStore(options, NullLogger<InMemoryMessageStore>.Instance);
}
