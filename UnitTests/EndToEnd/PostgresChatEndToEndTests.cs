using Chat.UnitTests.Infrastructure;
using Npgsql;

namespace Chat.UnitTests.EndToEnd;

/// <summary>The end-to-end suite on a real PostgreSQL (a database per test on the shared throwaway cluster).</summary>
[Collection("Postgres")]
public class PostgresChatEndToEndTests(PostgresFixture fixture) : ChatEndToEndTests
{
    private protected override async Task<string?> NewStoreAsync() => await fixture.Cluster.CreateDatabaseAsync("e2e");

    [PostgresFact]
    public async Task A_broadcast_message_is_a_row_in_postgres()
    {
        var store = await NewStoreAsync();
        await using var server = await StartAsync(store);
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=rowan"));
        await client.SendChatAsync("in the table <3");
        var frame = ChatFrame.From(await client.ReceiveAsync());

        await using var connection = new NpgsqlConnection(store);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT username, comment FROM chat_messages WHERE id = @id", connection);
        query.Parameters.AddWithValue("id", frame.Id);
        await using var row = await query.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal("rowan", row.GetString(0));
        Assert.Equal("in the table &lt;3", row.GetString(1));
    }
}
