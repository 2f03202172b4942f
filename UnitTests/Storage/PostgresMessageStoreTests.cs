using Chat.LoadTests.Infrastructure;
using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Chat.UnitTests.Storage;

/// <summary>
/// The store contract on PostgreSQL, plus what only this store does. Each test has its own database in the shared
/// cluster; the outage tests start clusters of their own (see PostgresMessageStoreTests.Outage.cs).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class PostgresMessageStoreTests : DurableMessageStoreContractTests
{
    private readonly PostgresFixture _fixture;
    private string _connectionString = "";

    public PostgresMessageStoreTests(PostgresFixture fixture)
    {
        _fixture = fixture;
    }

    private PostgresCluster Cluster => _fixture.Cluster;

    public override async Task InitializeAsync()
    {
        if (Infrastructure.PostgresRequirement.SkipReason is null)
        {
            _connectionString = await Cluster.CreateDatabaseAsync("store");
        }
    }

    [PostgresFact]
    public async Task Both_history_queries_use_the_primary_key_index()
    {
        var store = await OpenAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync(Guid.NewGuid(), Batch(1000), CancellationToken.None);
        }

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using (var analyze = new NpgsqlCommand("ANALYZE chat_messages", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        var latest = await ExplainAsync(connection, PostgresMessageStore.LatestSql.Replace("$1", "'general'").Replace("$2", "100"));
        var after = await ExplainAsync(connection, PostgresMessageStore.AfterSql.Replace("$1", "'general'").Replace("$2", "4000").Replace("$3", "100"));

        Assert.Contains("Index Scan Backward using chat_messages_pkey", latest);
        Assert.DoesNotContain("Seq Scan", latest);
        Assert.Contains("Index Scan using chat_messages_pkey", after);
        Assert.DoesNotContain("Seq Scan", after);
    }

    [PostgresFact]
    public async Task Initialize_throws_store_unavailable_naming_a_missing_database()
    {
        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Database = "no_such_database" };
        await using var store = new PostgresMessageStore(builder.ConnectionString, new StoreOptions(), NullLogger<PostgresMessageStore>.Instance);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Equal(
            $"Cannot open PostgreSQL 127.0.0.1:{Cluster.Port}/no_such_database: 3D000: database \"no_such_database\" does not exist",
            error.Message);
    }

    [Fact]
    public async Task Initialize_throws_store_unavailable_when_nothing_listens_on_the_port()
    {
        await using var store = new PostgresMessageStore(
            "Host=127.0.0.1;Port=1;Database=chat", new StoreOptions(), NullLogger<PostgresMessageStore>.Instance);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Equal(
            "Cannot open PostgreSQL 127.0.0.1:1/chat: Failed to connect to 127.0.0.1:1 (Connection refused)", error.Message);
    }

    [PostgresFact]
    public async Task Initialize_throws_store_unavailable_when_the_role_is_refused()
    {
        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Username = "nobody", Password = "secret" };
        await using var store = new PostgresMessageStore(builder.ConnectionString, new StoreOptions(), NullLogger<PostgresMessageStore>.Instance);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("28000", error.Message);
        Assert.DoesNotContain("secret", error.Message);
        Assert.DoesNotContain("secret", store.Description);
    }

    [PostgresFact]
    public async Task Initialize_refuses_a_schema_newer_than_this_server()
    {
        await OpenAsync();
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES (99)", connection);
            await command.ExecuteNonQueryAsync();
        }

        var store = CreateStore(new StoreOptions());
        await using (store)
        {
            var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));
            Assert.Contains("schema version 99 is newer", error.Message);
        }
    }

    [PostgresFact]
    public async Task Stores_initializing_at_once_migrate_once()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => CreateStore(new StoreOptions())).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(s => s.InitializeAsync(CancellationToken.None)));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM schema_version", connection);
        Assert.Equal((long)PostgresSchema.LatestVersion, await command.ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task Description_names_host_port_and_database_without_the_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Password = "hunter2" };
        await using var store = new PostgresMessageStore(builder.ConnectionString, new StoreOptions(), NullLogger<PostgresMessageStore>.Instance);

        Assert.Equal($"PostgreSQL 127.0.0.1:{Cluster.Port}/{builder.Database}", store.Description);
    }

    protected override IMessageStore CreateStore(StoreOptions options) =>
        new PostgresMessageStore(_connectionString, options, NullLogger<PostgresMessageStore>.Instance);

    protected override async Task RejectCommentAsync(string comment)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        var literal = comment.Replace("'", "''");
        await using var command = new NpgsqlCommand(
            $"ALTER TABLE chat_messages ADD CONSTRAINT reject_comment CHECK (comment <> '{literal}')", connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task CreateVersionOneDatabaseAsync(int count, long lastId)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());"
            + PostgresSchema.Migrations[0]
            + "INSERT INTO schema_version (version) VALUES (1);"
            + $"INSERT INTO chat_messages SELECT i, 'User1', 'old' || i, now() FROM generate_series(1, {count}) i;"
            + $"UPDATE chat_id_counter SET last_id = {lastId};",
            connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand("EXPLAIN " + sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
