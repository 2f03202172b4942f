using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>SQL safety on PostgreSQL (binary COPY), read back from the table directly.</summary>
[Collection("Postgres")]
public sealed class PostgresSqlSafetyTests(PostgresFixture fixture, ITestOutputHelper output) : SqlSafetyTests(output)
{
    private protected override async Task<(TestServer Server, Func<Task<List<(long Id, string Username, string Comment)>>> Rows)> StartAsync()
    {
        var store = await fixture.Cluster.CreateDatabaseAsync("sql");
        var server = await TestServer.StartAsync(store);
        return (server, async () =>
        {
            await using var connection = new NpgsqlConnection(store);
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT id, username, comment FROM chat_messages ORDER BY id", connection);
            var rows = new List<(long, string, string)>();
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            return rows;
        });
    }
}
