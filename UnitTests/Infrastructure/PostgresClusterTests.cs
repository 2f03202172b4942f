using Chat.LoadTests.Infrastructure;
using Npgsql;
using Xunit;

namespace Chat.UnitTests.Infrastructure;

[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterTests
{
    private readonly PostgresFixture _fixture;

    public PostgresClusterTests(PostgresFixture fixture)
    {
        _fixture = fixture;
    }

    [PostgresFact]
    public async Task Create_database_returns_the_connection_string_of_a_new_database_named_after_the_prefix()
    {
        var first = new NpgsqlConnectionStringBuilder(await _fixture.Cluster.CreateDatabaseAsync("cluster_test"));
        var second = new NpgsqlConnectionStringBuilder(await _fixture.Cluster.CreateDatabaseAsync("cluster_test"));

        Assert.StartsWith("cluster_test_", first.Database);
        Assert.NotEqual(first.Database, second.Database);
        Assert.Equal("127.0.0.1", first.Host);
        Assert.Equal("postgres", first.Username);
        Assert.Equal(first.Database, await ScalarAsync(first.ConnectionString, "SELECT current_database()"));
    }

    [PostgresTheory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("drop table x; --")]
    [InlineData("a_prefix_longer_than_thirty_chars")]
    public async Task Create_database_refuses_a_prefix_that_is_not_a_short_lower_case_identifier(string prefix)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _fixture.Cluster.CreateDatabaseAsync(prefix));
    }

    [PostgresFact]
    public async Task The_server_speaks_utf8_and_listens_on_loopback()
    {
        var connectionString = _fixture.Cluster.ConnectionStringFor("postgres");

        Assert.Equal("UTF8", await ScalarAsync(connectionString, "SHOW server_encoding"));
        Assert.Equal("127.0.0.1", await ScalarAsync(connectionString, "SHOW listen_addresses"));
    }

    [PostgresFact]
    public async Task Stop_refuses_connections_and_restart_serves_the_same_data_on_the_same_port()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var connectionString = await cluster.CreateDatabaseAsync("restart");
        await ScalarAsync(connectionString, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here'); SELECT 'ok'");
        var port = cluster.Port;

        await cluster.StopAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(connectionString, "SELECT 1"));
        await cluster.RestartAsync();

        Assert.Equal(port, cluster.Port);
        Assert.Equal("still here", await ScalarAsync(connectionString, "SELECT v FROM kept"));
    }

    [PostgresFact]
    public async Task Dispose_stops_the_server_and_deletes_its_directory()
    {
        var cluster = await PostgresCluster.StartAsync();
        var connectionString = cluster.ConnectionStringFor("postgres");
        Assert.True(Directory.Exists(cluster.RootDirectory));

        await cluster.DisposeAsync();

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(connectionString, "SELECT 1"));
        Assert.False(Directory.Exists(cluster.RootDirectory));
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
