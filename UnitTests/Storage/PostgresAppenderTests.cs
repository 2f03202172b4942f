using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Chat.UnitTests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresAppenderTests : IAsyncLifetime
{
    private static readonly NewMessage[] OneMessage = [new("u"u8.ToArray(), "c"u8.ToArray(), DateTime.UtcNow)];
    private readonly PostgresFixture _fixture;
    private NpgsqlDataSource _dataSource = null!;

    public PostgresAppenderTests(PostgresFixture fixture)
    {
        _fixture = fixture;
    }

    public async Task InitializeAsync()
    {
        if (PostgresRequirement.SkipReason is not null)
        {
            return;
        }

        var connectionString = await _fixture.Cluster.CreateDatabaseAsync("appender");
        await using (var store = new PostgresMessageStore(connectionString, new StoreOptions(), NullLogger<PostgresMessageStore>.Instance))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task Keys_older_than_an_hour_are_pruned_once_the_interval_has_passed()
    {
        var old = await RecordKeyAsync(TimeSpan.FromHours(2));
        var recent = await RecordKeyAsync(TimeSpan.FromMinutes(50));
        await using var appender = await PostgresAppender.OpenAsync(_dataSource, 30, TimeSpan.Zero, "test", CancellationToken.None);
        var key = Guid.NewGuid();

        await appender.AppendAsync(key, RoomName.General, "general"u8.ToArray(), OneMessage, CancellationToken.None);
        var pruned = await appender.PruneKeysIfDueAsync(CancellationToken.None);

        Assert.True(pruned);
        Assert.Equal(new[] { recent, key }.Order(), (await KeysAsync()).Order());
        Assert.DoesNotContain(old, await KeysAsync());
    }

    [PostgresFact]
    public async Task Keys_are_not_pruned_before_the_interval_has_passed()
    {
        var old = await RecordKeyAsync(TimeSpan.FromHours(2));
        await using var appender = await PostgresAppender.OpenAsync(_dataSource, 30, TimeSpan.FromHours(1), "test", CancellationToken.None);

        await appender.AppendAsync(Guid.NewGuid(), RoomName.General, "general"u8.ToArray(), OneMessage, CancellationToken.None);
        var pruned = await appender.PruneKeysIfDueAsync(CancellationToken.None);

        Assert.False(pruned);
        Assert.Contains(old, await KeysAsync());
    }

    private async Task<Guid> RecordKeyAsync(TimeSpan age)
    {
        var key = Guid.NewGuid();
        await using var command = _dataSource.CreateCommand(
            "INSERT INTO chat_batches (batch_key, first_id, count, committed_at) VALUES ($1, 0, 0, now() - $2)");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = age });
        await command.ExecuteNonQueryAsync();
        return key;
    }

    private async Task<List<Guid>> KeysAsync()
    {
        await using var command = _dataSource.CreateCommand("SELECT batch_key FROM chat_batches");
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<Guid>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetGuid(0));
        }

        return keys;
    }
}
