using Chat.UnitTests.EndToEnd;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>SQL safety on the embedded store, read back from chat.db directly.</summary>
public sealed class SqliteSqlSafetyTests(ITestOutputHelper output) : SqlSafetyTests(output)
{
    private protected override async Task<(TestServer Server, Func<Task<List<(long Id, string Username, string Comment)>>> Rows)> StartAsync()
    {
        var server = await TestServer.StartAsync();
        var path = Path.Combine(server.DataDirectory, "chat.db");
        return (server, async () =>
        {
            await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var query = connection.CreateCommand();
            query.CommandText = "SELECT id, username, comment FROM chat_messages ORDER BY id";
            var rows = new List<(long, string, string)>();
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            return rows;
        });
    }
}
