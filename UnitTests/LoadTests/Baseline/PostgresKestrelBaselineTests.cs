using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;
using Npgsql;

namespace Chat.UnitTests.LoadTests.Baseline;

/// <summary>The baseline on a real PostgreSQL (a database per test on the shared throwaway cluster).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresKestrelBaselineTests(PostgresFixture fixture) : KestrelBaselineTests
{
    private string? _database;

    private protected override async Task<Dictionary<string, string>> NewStoreSettingsAsync()
    {
        _database = await fixture.Cluster.CreateDatabaseAsync("baseline");
        return new Dictionary<string, string> { ["CHAT_POSTGRES"] = _database };
    }

    [PostgresFact]
    public async Task Every_broadcast_message_is_one_row_with_the_broadcast_id()
    {
        await using var server = await StartAsync();
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=rowan"));
        for (var i = 0; i < 3; i++) await client.SendChatAsync($"row {i} <3");
        var frames = await client.ReceiveChatsAsync(3);

        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id, username, comment FROM baseline_chat_messages ORDER BY id", connection);
        await using var row = await query.ExecuteReaderAsync();
        var rows = new List<(long Id, string Username, string Comment)>();
        while (await row.ReadAsync()) rows.Add((row.GetInt64(0), row.GetString(1), row.GetString(2)));

        Assert.Equal(frames.Select(f => (f.Id, "rowan", f.Comment)), rows);
        Assert.Equal(new[] { "row 0 &lt;3", "row 1 &lt;3", "row 2 &lt;3" }, rows.Select(r => r.Comment));
    }
}
