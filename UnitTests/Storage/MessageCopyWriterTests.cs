using System.Text;
using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Chat.UnitTests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class MessageCopyWriterTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly NewMessage Row = new("User1"u8.ToArray(), Encoding.UTF8.GetBytes(new string('c', 200)), DateTime.UtcNow);
    private readonly PostgresFixture _fixture;
    private readonly ITestOutputHelper _output;
    private NpgsqlConnection _connection = null!;

    public MessageCopyWriterTests(PostgresFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    public async Task InitializeAsync()
    {
        if (PostgresRequirement.SkipReason is not null)
        {
            return;
        }

        var connectionString = await _fixture.Cluster.CreateDatabaseAsync("copy");
        await using (var store = new PostgresMessageStore(connectionString, new StoreOptions(), NullLogger<PostgresMessageStore>.Instance))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        _connection = new NpgsqlConnection(connectionString);
        await _connection.OpenAsync();
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task Complete_returns_the_row_count_and_the_rows_are_stored()
    {
        ulong rows;
        await using (var writer = await MessageCopyWriter.BeginAsync(_connection, "general"u8.ToArray(), Timeout, CancellationToken.None))
        {
            await writer.WriteAsync(1, Row, CancellationToken.None);
            await writer.WriteAsync(2, Row, CancellationToken.None);
            rows = await writer.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal(2UL, rows);
        Assert.Equal(2L, await CountAsync());
    }

    [PostgresFact]
    public async Task Dispose_without_complete_stores_nothing_and_leaves_the_connection_usable()
    {
        await using (var writer = await MessageCopyWriter.BeginAsync(_connection, "general"u8.ToArray(), Timeout, CancellationToken.None))
        {
            await writer.WriteAsync(1, Row, CancellationToken.None);
        }

        Assert.Equal(0L, await CountAsync());
    }

    [PostgresFact]
    public async Task Write_or_complete_after_complete_is_refused()
    {
        await using var writer = await MessageCopyWriter.BeginAsync(_connection, "general"u8.ToArray(), Timeout, CancellationToken.None);
        await writer.WriteAsync(1, Row, CancellationToken.None);
        await writer.CompleteAsync(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(2, Row, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task Write_after_dispose_is_refused()
    {
        var writer = await MessageCopyWriter.BeginAsync(_connection, "general"u8.ToArray(), Timeout, CancellationToken.None);
        await writer.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(1, Row, CancellationToken.None));
    }

    [PostgresFact]
    public async Task A_failed_write_makes_the_writer_refuse_further_calls()
    {
        await using var writer = await MessageCopyWriter.BeginAsync(_connection, "general"u8.ToArray(), Timeout, CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => writer.WriteAsync(1, Row, new CancellationToken(canceled: true)));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(2, Row, CancellationToken.None));
        Assert.Contains("cancelled", refused.Message);
    }

    // A row written without waiting for the socket runs wholly on this thread, so this thread's allocation counter
    // measures it exactly. Rows that waited for a buffer flush resumed elsewhere and are not counted (a cost per flush,
    // not per row). A regression guard for the per-row cost; the numbers go to the test output.
    [PostgresFact]
    public async Task Writing_a_row_that_fits_the_buffer_allocates_no_managed_memory()
    {
        const int rows = 20_000;
        await using var writer = await MessageCopyWriter.BeginAsync(_connection, "general"u8.ToArray(), Timeout, CancellationToken.None);
        for (var id = 1; id <= 1_000; id++)
        {
            await writer.WriteAsync(id, Row, CancellationToken.None);
        }

        long allocated = 0;
        var measured = 0;
        for (var id = 1_001; id <= 1_000 + rows; id++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var pending = writer.WriteAsync(id, Row, CancellationToken.None);
            if (pending.IsCompletedSuccessfully)
            {
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                measured++;
            }
            else
            {
                await pending;
            }
        }

        await writer.CompleteAsync(CancellationToken.None);
        _output.WriteLine($"{measured} of {rows} rows written synchronously, {allocated} bytes allocated by them");

        Assert.True(measured > rows / 2, $"only {measured} of {rows} rows were written without waiting");
        Assert.Equal(0, allocated);
    }

    [PostgresFact]
    public async Task Rows_come_back_exactly_as_written_across_buffer_flushes_and_past_the_buffer_size()
    {
        // 3,000 rows of 200 bytes fill the 64 KiB buffer several times; one 100 KiB comment is bigger than the buffer.
        var when = new DateTime(2026, 12, 1, 23, 59, 58, 123, DateTimeKind.Utc);
        var huge = new string('h', 100 * 1024);
        await using (var writer = await MessageCopyWriter.BeginAsync(_connection, "general"u8.ToArray(), Timeout, CancellationToken.None))
        {
            for (var id = 1; id <= 3_000; id++)
            {
                var comment = id == 1_500 ? huge : $"comment {id} é 😀 &lt;b&gt;";
                await writer.WriteAsync(id, new NewMessage(Encoding.UTF8.GetBytes($"User{id}"), Encoding.UTF8.GetBytes(comment), when.AddMilliseconds(id)), CancellationToken.None);
            }

            Assert.Equal(3_000UL, await writer.CompleteAsync(CancellationToken.None));
        }

        await using var command = new NpgsqlCommand("SELECT id, username, comment, created_at FROM chat_messages ORDER BY id", _connection);
        await using var reader = await command.ExecuteReaderAsync();
        var expected = 1L;
        while (await reader.ReadAsync())
        {
            Assert.Equal(expected, reader.GetInt64(0));
            Assert.Equal($"User{expected}", reader.GetString(1));
            Assert.Equal(expected == 1_500 ? huge : $"comment {expected} é 😀 &lt;b&gt;", reader.GetString(2));
            Assert.Equal(when.AddMilliseconds(expected), reader.GetFieldValue<DateTime>(3));
            expected++;
        }

        Assert.Equal(3_001L, expected);
    }

    [PostgresFact]
    public async Task A_row_postgres_rejects_fails_complete_and_stores_nothing()
    {
        await using (var writer = await MessageCopyWriter.BeginAsync(_connection, "general"u8.ToArray(), Timeout, CancellationToken.None))
        {
            await writer.WriteAsync(7, Row, CancellationToken.None);
            await writer.WriteAsync(7, Row, CancellationToken.None);
            await Assert.ThrowsAsync<PostgresException>(() => writer.CompleteAsync(CancellationToken.None));
        }

        Assert.Equal(0L, await CountAsync());
    }

    private async Task<long> CountAsync()
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM chat_messages", _connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
