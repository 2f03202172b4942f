using Chat.LoadTests.Infrastructure;
using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chat.UnitTests.Storage;

// Outage tests stop and restart a server, so each starts a cluster of its own rather than the shared one.
public sealed partial class PostgresMessageStoreTests
{
    [PostgresFact]
    public async Task Initialize_against_a_stopped_server_throws_store_unavailable()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        await cluster.StopAsync();
        await using var store = OpenOn(cluster.ConnectionStringFor("postgres"));

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.StartsWith($"Cannot open PostgreSQL 127.0.0.1:{cluster.Port}/postgres: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [PostgresFact]
    public async Task Append_during_an_outage_throws_stores_nothing_and_succeeds_with_the_same_key_after_restart()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        await using var postgres = OpenOn(await cluster.CreateDatabaseAsync("outage"));
        IMessageStore store = postgres;
        await store.InitializeAsync(CancellationToken.None);
        await store.AppendAsync(Guid.NewGuid(), Batch(2, "before"), CancellationToken.None);
        var key = Guid.NewGuid();

        await cluster.StopAsync();
        await Assert.ThrowsAnyAsync<Exception>(async () => await store.AppendAsync(key, Batch(3, "during"), CancellationToken.None));
        await cluster.RestartAsync();
        var firstId = await store.AppendAsync(key, Batch(3, "during"), CancellationToken.None);

        Assert.Equal(3, firstId);
        var comments = (await store.ReadAfterAsync(0, 100, CancellationToken.None)).Select(m => m.Comment);
        Assert.Equal(new[] { "before0", "before1", "during0", "during1", "during2" }, comments);
    }

    [PostgresFact]
    public async Task Ping_is_false_while_the_server_is_stopped_and_true_after_restart()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        await using var store = OpenOn(await cluster.CreateDatabaseAsync("ping"));
        await store.InitializeAsync(CancellationToken.None);
        Assert.True(await store.PingAsync(CancellationToken.None));

        await cluster.StopAsync();
        var whileStopped = await store.PingAsync(CancellationToken.None);
        await cluster.RestartAsync();

        Assert.False(whileStopped);
        Assert.True(await store.PingAsync(CancellationToken.None));
        Assert.Single(await AppendAndReadAsync(store));
    }

    private static PostgresMessageStore OpenOn(string connectionString) =>
        new(connectionString, new StoreOptions { CommandTimeout = TimeSpan.FromSeconds(5) }, NullLogger<PostgresMessageStore>.Instance);

    private static async Task<IReadOnlyList<StoredMessage>> AppendAndReadAsync(IMessageStore store)
    {
        var id = await store.AppendAsync(Guid.NewGuid(), Batch(1), CancellationToken.None);
        return await store.ReadAfterAsync(id - 1, 10, CancellationToken.None);
    }
}
