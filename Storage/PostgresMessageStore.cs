using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Chat.Storage;

/// <summary>
/// Chat history in PostgreSQL. Appends run on a few kept connections, one per slot of rooms (binary COPY inside one
/// transaction per batch); reads and pings use a small pool of other connections.
/// </summary>
public sealed partial class PostgresMessageStore : IMessageStore
{
    // Reads are short index scans; a few connections serve /chat-history and replays without crowding the server.
    private const int ReadPoolSize = 8;

    // Appends of different rooms run on different connections at once; a room always maps to the same slot, so one
    // room's batches from this process are serialised in call order (its ids follow that order).
    internal const int AppendSlots = 4;

    private readonly StoreOptions _options;
    private readonly ILogger<PostgresMessageStore> _logger;
    private readonly NpgsqlDataSource _readSource;
    private readonly NpgsqlDataSource _appendSource;
    private readonly AppendSlot[] _slots = [.. Enumerable.Range(0, AppendSlots).Select(_ => new AppendSlot())];
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
    public async ValueTask<long> AppendAsync(Guid batchKey, string room, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken)
    {
        RoomName.Check(room);
        if (batch.IsEmpty)
        {
            throw new ArgumentException("A batch holds at least one message.", nameof(batch));
        }

        var slot = _slots[(int)((uint)StringComparer.Ordinal.GetHashCode(room) % AppendSlots)];
        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            slot.Appender ??= await PostgresAppender.OpenAsync(
                _appendSource, _options.CommandTimeoutSeconds, BatchKeyPolicy.PruneInterval, _options.InstanceId, cancellationToken);
            long firstId;
            try
            {
                firstId = await slot.Appender.AppendAsync(batchKey, room, Encoding.UTF8.GetBytes(room), batch, cancellationToken);
            }
            catch (Exception e)
            {
                StorageLog.AppendFailed(_logger, e, Description);
                await slot.DropAsync();
                throw;
            }

            await PruneBatchKeysAsync(slot, cancellationToken);
            return firstId;
        }
        finally
        {
            slot.Gate.Release();
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

        foreach (var slot in _slots)
        {
            await slot.Gate.WaitAsync();
        }

        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var slot in _slots)
            {
                await slot.DropAsync();
            }
        }
        finally
        {
            foreach (var slot in _slots)
            {
                slot.Gate.Release();
            }
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

    // After the commit: the batch is stored whatever happens here, so a failure is logged, not thrown.
    private async Task PruneBatchKeysAsync(AppendSlot slot, CancellationToken cancellationToken)
    {
        try
        {
            await slot.Appender!.PruneKeysIfDueAsync(cancellationToken);
        }
        catch (Exception e)
        {
            StorageLog.BatchKeyPruneFailed(_logger, e, Description);
            await slot.DropAsync();
        }
    }

    /// <summary>One append connection and the gate that lets one append at a time use it.</summary>
    private sealed class AppendSlot
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public PostgresAppender? Appender;

        public async Task DropAsync()
        {
            if (Appender is { } appender)
            {
                Appender = null;
                await appender.DisposeAsync();
            }
        }
    }
}
