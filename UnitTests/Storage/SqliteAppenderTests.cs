using Chat.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chat.UnitTests.Storage;

public sealed class SqliteAppenderTests : IAsyncLifetime
{
    private static readonly NewMessage[] OneMessage = [new("u"u8.ToArray(), "c"u8.ToArray(), DateTime.UtcNow)];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"chat-sqlite-{Guid.NewGuid():N}");

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "chat.db")};Pooling=False";

    public async Task InitializeAsync()
    {
        await using var store = new SqliteMessageStore(_directory, new StoreOptions(), NullLogger<SqliteMessageStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Keys_older_than_an_hour_are_pruned_once_the_interval_has_passed()
    {
        var old = RecordKey(TimeSpan.FromHours(2));
        var recent = RecordKey(TimeSpan.FromMinutes(50));
        using var appender = SqliteAppender.Open(Open(), TimeSpan.Zero);
        var key = Guid.NewGuid();

        appender.Append(key, RoomName.General, OneMessage);

        Assert.Equal(new[] { recent, key }.Order(), Keys().Order());
        Assert.DoesNotContain(old, Keys());
    }

    [Fact]
    public void Keys_are_not_pruned_before_the_interval_has_passed()
    {
        var old = RecordKey(TimeSpan.FromHours(2));
        using var appender = SqliteAppender.Open(Open(), TimeSpan.FromHours(1));

        appender.Append(Guid.NewGuid(), RoomName.General, OneMessage);

        Assert.Contains(old, Keys());
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    private Guid RecordKey(TimeSpan age)
    {
        var key = Guid.NewGuid();
        using var connection = Open();
        using var command = new SqliteCommand(
            "INSERT INTO chat_batches (batch_key, first_id, count, committed_at) VALUES ($key, 0, 0, $at)", connection);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$at", StoredTime.ToUnixMilliseconds(DateTime.UtcNow - age));
        command.ExecuteNonQuery();
        return key;
    }

    private List<Guid> Keys()
    {
        using var connection = Open();
        using var command = new SqliteCommand("SELECT batch_key FROM chat_batches", connection);
        using var reader = command.ExecuteReader();
        var keys = new List<Guid>();
        while (reader.Read())
        {
            keys.Add(reader.GetGuid(0));
        }

        return keys;
    }
}
