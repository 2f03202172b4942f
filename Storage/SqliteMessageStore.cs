using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Chat.Storage;

/// <summary>
/// Chat history in an embedded SQLite file, <c>&lt;dataDirectory&gt;/chat.db</c>: WAL journal, synchronous=FULL, one
/// BEGIN IMMEDIATE transaction per batch. Appends run on one kept connection; reads on pooled others (WAL lets
/// readers run beside the writer).
/// </summary>
public sealed partial class SqliteMessageStore : IMessageStore
{
    internal const string FileName = "chat.db";

    private readonly StoreOptions _options;
    private readonly ILogger<SqliteMessageStore> _logger;
    private readonly string _directory;
    private readonly string _connectionString;
    private readonly StoreLifecycle _lifecycle;
    private SqliteAppender? _appender;

    /// <param name="dataDirectory">Created when missing; the database is <c>chat.db</c> inside it.</param>
    /// <param name="options">Validated here; an <see cref="ArgumentException"/> names a bad option.</param>
    /// <param name="logger">Migration, retention and append-failure events.</param>
    public SqliteMessageStore(string dataDirectory, StoreOptions options, ILogger<SqliteMessageStore> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _logger = logger;
        _directory = Path.GetFullPath(dataDirectory);
        var path = Path.Combine(_directory, FileName);
        Description = $"SQLite {path}";

        // DefaultTimeout is also how long a command waits for another connection's write lock (SQLITE_BUSY retries).
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = options.CommandTimeoutSeconds,
        }.ToString();

        // One writer: SQLite has one write lock for the whole file.
        _lifecycle = new StoreLifecycle(this, options, PruneAsync, logger, Description, writeSlots: 1);
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken) => _lifecycle.InitializeAsync(Migrate, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<long> AppendAsync(Guid batchKey, string room, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken)
    {
        StoreArguments.CheckAppend(room, batch);

        using (await _lifecycle.EnterWriteAsync(0, cancellationToken))
        {
            _appender ??= SqliteAppender.Open(OpenWriter(), BatchKeyPolicy.PruneInterval);
            try
            {
                return _appender.Append(batchKey, room, batch.Span);
            }
            catch (Exception e)
            {
                StorageLog.AppendFailed(_logger, e, Description);
                DropAppender();
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!await _lifecycle.DisposeAsync(DropAppenderAsync))
        {
            return;
        }

        // Pooled connections keep the file open; release them so the directory can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private Task Migrate(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            Directory.CreateDirectory(_directory);
            using var connection = OpenWriter();
            var found = SqliteSchema.Migrate(connection, Description);
            if (found != SqliteSchema.LatestVersion)
            {
                StorageLog.SchemaMigrated(_logger, Description, found, SqliteSchema.LatestVersion);
            }
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            var reason = (e is SqliteException sqlite ? sqlite.Message : e.Message).ReplaceLineEndings(" ");
            throw new StoreUnavailableException($"Cannot open {Description}: {reason}", e);
        }

        return Task.CompletedTask;
    }

    private SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();

            // WAL: readers never block the writer and one fsync of the log per commit. FULL: that fsync happens at
            // every commit, so a batch (and every message a client saw) survives a crash or power loss.
            command.CommandText = "PRAGMA journal_mode=WAL";
            var mode = command.ExecuteScalar() as string ?? "unknown";
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                StorageLog.NotWal(_logger, Description, mode);
            }

            command.CommandText = "PRAGMA synchronous=FULL";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void DropAppender()
    {
        _appender?.Dispose();
        _appender = null;
    }

    private ValueTask DropAppenderAsync()
    {
        DropAppender();
        return ValueTask.CompletedTask;
    }
}
