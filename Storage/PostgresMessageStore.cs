using Microsoft.Extensions.Logging;
using Npgsql;

namespace Chat.Storage;

/// <summary>
/// Chat history in PostgreSQL. Appends run on one kept connection (binary COPY inside one transaction per batch);
/// reads and pings use a small pool of other connections.
/// </summary>
public sealed partial class PostgresMessageStore : IMessageStore
{
    // Reads are short index scans; a few connections serve /chat-history and replays without crowding the server.
    private const int ReadPoolSize = 8;

    private readonly StoreOptions _options;
    private readonly ILogger<PostgresMessageStore> _logger;
    private readonly NpgsqlDataSource _readSource;
    private readonly NpgsqlDataSource _appendSource;
    private readonly SemaphoreSlim _appendGate = new(1, 1);
    private PostgresAppender? _appender;
    private RetentionLoop? _retention;
    private bool _disposed;

    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="options">Validated here; an <see cref="ArgumentException"/> names a bad option.</param>
    /// <param name="logger">Migration, retention and append-failure events.</param>
    public PostgresMessageStore(string connectionString, StoreOptions options, ILogger<PostgresMessageStore> logger)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _logger = logger;

        var settings = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = options.CommandTimeoutSeconds };
        Description = $"PostgreSQL {settings.Host}:{settings.Port}/{settings.Database ?? settings.Username}";

        settings.MaxPoolSize = ReadPoolSize;
        settings.MinPoolSize = 0;
        _readSource = NpgsqlDataSource.Create(settings);

        // Unpooled: after a failure the append connection is closed for real, and the next one is a fresh session.
        var appendSettings = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { Pooling = false };
        _appendSource = NpgsqlDataSource.Create(appendSettings);
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await using var connection = await _readSource.OpenConnectionAsync(cancellationToken);
            var found = await PostgresSchema.MigrateAsync(connection, Description, cancellationToken);
            if (found != PostgresSchema.LatestVersion)
            {
                StorageLog.SchemaMigrated(_logger, Description, found, PostgresSchema.LatestVersion);
            }
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnavailableException($"Cannot open {Description}: {Reason(e)}", e);
        }

        if (_options.RetentionEnabled && _retention is null)
        {
            _retention = new RetentionLoop(_options.RetentionInterval, PruneAsync, _logger, Description);
        }
    }

    /// <inheritdoc />
    public async ValueTask<long> AppendAsync(Guid batchKey, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken)
    {
        if (batch.IsEmpty)
        {
            throw new ArgumentException("A batch holds at least one message.", nameof(batch));
        }

        await _appendGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _appender ??= await PostgresAppender.OpenAsync(
                _appendSource, _options.CommandTimeoutSeconds, BatchKeyPolicy.PruneInterval, _options.InstanceId, cancellationToken);
            long firstId;
            try
            {
                firstId = await _appender.AppendAsync(batchKey, batch, cancellationToken);
            }
            catch (Exception e)
            {
                StorageLog.AppendFailed(_logger, e, Description);
                await DropAppenderAsync();
                throw;
            }

            await PruneBatchKeysAsync(cancellationToken);
            return firstId;
        }
        finally
        {
            _appendGate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_retention is { } retention)
        {
            _retention = null;
            await retention.DisposeAsync();
        }

        await _appendGate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await DropAppenderAsync();
        }
        finally
        {
            _appendGate.Release();
        }

        await _readSource.DisposeAsync();
        await _appendSource.DisposeAsync();
    }

    /// <summary>One line naming the cause: the server's SQLSTATE and text, or the connection failure and its cause.</summary>
    private static string Reason(NpgsqlException e)
    {
        var reason = e switch
        {
            PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
            { InnerException: { } inner } when inner.Message != e.Message => $"{e.Message} ({inner.Message})",
            _ => e.Message,
        };
        return reason.ReplaceLineEndings(" ");
    }

    private async Task DropAppenderAsync()
    {
        if (_appender is { } appender)
        {
            _appender = null;
            await appender.DisposeAsync();
        }
    }

    // After the commit: the batch is stored whatever happens here, so a failure is logged, not thrown.
    private async Task PruneBatchKeysAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _appender!.PruneKeysIfDueAsync(cancellationToken);
        }
        catch (Exception e)
        {
            StorageLog.BatchKeyPruneFailed(_logger, e, Description);
            await DropAppenderAsync();
        }
    }
}
