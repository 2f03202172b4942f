using Chat.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chat.UnitTests.Storage;

/// <summary>The store contract on SQLite, plus what only the embedded store does. Each test has its own directory.</summary>
public sealed class SqliteMessageStoreTests : DurableMessageStoreContractTests
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"chat-sqlite-{Guid.NewGuid():N}");

    private string DataDirectory => Path.Combine(_root, "data");

    public override Task InitializeAsync() => Task.CompletedTask;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Initialize_creates_the_directory_and_a_wal_database_named_chat_db()
    {
        var store = await OpenAsync();

        var path = Path.Combine(DataDirectory, "chat.db");
        Assert.True(File.Exists(path));
        Assert.Equal($"SQLite {path}", store.Description);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task Initialize_throws_store_unavailable_when_the_directory_cannot_be_created()
    {
        Directory.CreateDirectory(_root);
        await File.WriteAllTextAsync(Path.Combine(_root, "data"), "a file where the directory should be");
        await using var store = CreateStore(new StoreOptions());

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.StartsWith($"Cannot open SQLite {Path.Combine(DataDirectory, "chat.db")}:", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Initialize_throws_store_unavailable_when_chat_db_is_not_a_database()
    {
        Directory.CreateDirectory(DataDirectory);
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "chat.db"), new string('x', 4096));
        await using var store = CreateStore(new StoreOptions());

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("not a database", error.Message);
    }

    [Fact]
    public async Task A_relative_data_directory_is_described_by_its_absolute_path()
    {
        await using var store = new SqliteMessageStore("relative-data", new StoreOptions(), NullLogger<SqliteMessageStore>.Instance);

        Assert.Equal($"SQLite {Path.GetFullPath("relative-data/chat.db")}", store.Description);
    }

    protected override IMessageStore CreateStore(StoreOptions options) =>
        new SqliteMessageStore(DataDirectory, options, NullLogger<SqliteMessageStore>.Instance);

    protected override async Task RejectCommentAsync(string comment)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "chat.db")};Pooling=False");
        connection.Open();
        await using var command = connection.CreateCommand();
        var literal = comment.Replace("'", "''");
        command.CommandText =
            $"CREATE TRIGGER reject_comment BEFORE INSERT ON chat_messages WHEN NEW.comment = '{literal}' BEGIN SELECT RAISE(ABORT, 'rejected'); END";
        command.ExecuteNonQuery();
    }

    protected override Task CreateVersionOneDatabaseAsync(int count, long lastId)
    {
        Directory.CreateDirectory(DataDirectory);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "chat.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);"
            + SqliteSchema.Migrations[0]
            + "INSERT INTO schema_version (version, applied_at) VALUES (1, 0);"
            + string.Concat(Enumerable.Range(1, count).Select(i => $"INSERT INTO chat_messages VALUES ({i}, 'User1', 'old{i}', 0);"))
            + $"UPDATE chat_id_counter SET last_id = {lastId};";
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }
}
