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
    private readonly StoreLifecycle _lifecycle;

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
        _lifecycle = new StoreLifecycle(this, options, PruneAsync, logger, Description, AppendSlots);
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken) => _lifecycle.InitializeAsync(MigrateAsync, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<long> AppendAsync(Guid batchKey, string room, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken)
    {
        StoreArguments.CheckAppend(room, batch);

        var index = (int)((uint)StringComparer.Ordinal.GetHashCode(room) % AppendSlots);
        var slot = _slots[index];
        using (await _lifecycle.EnterWriteAsync(index, cancellationToken))
        {
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
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!await _lifecycle.DisposeAsync(DropAppendersAsync))
        {
            return;
        }

        await _readSource.DisposeAsync();
        await _appendSource.DisposeAsync();
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
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
    }

    private async ValueTask DropAppendersAsync()
    {
        foreach (var slot in _slots)
        {
            await slot.DropAsync();
        }
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

    /// <summary>One append connection; the lifecycle's gate of the same index lets one append at a time use it.</summary>
    private sealed class AppendSlot
    {
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
