using Microsoft.Extensions.Logging;

namespace Chat.Storage;

/// <summary>
/// Benchmark only: chat history in this process's memory, not durable, lost on exit (<c>CHAT_STORE=memory</c>). It
/// keeps the <see cref="IMessageStore"/> contract within one instance (dense ids, idempotent batch keys, retention), so
/// the same pipeline runs on it and on a real store and the difference is the price of durability. Every message is
/// kept until retention prunes it; rooms have their own id sequences as in the database stores. Instances share nothing: a second one is an empty store of its own.
/// </summary>
public sealed class InMemoryMessageStore : IMessageStore
{
    private readonly StoreOptions _options;
    private readonly Lock _gate = new();
    private readonly StoreLifecycle _lifecycle;

    private readonly Dictionary<string, InMemoryRoom> _rooms = new(StringComparer.Ordinal) { [RoomName.General] = new() };
    private readonly Dictionary<Guid, (long FirstId, long CommittedMs)> _batchKeys = [];
    private long _lastKeyPruneMs = Environment.TickCount64;

    /// <param name="options">Validated here; an <see cref="ArgumentException"/> names a bad option.</param>
    /// <param name="logger">Retention events.</param>
    public InMemoryMessageStore(StoreOptions options, ILogger<InMemoryMessageStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _lifecycle = new StoreLifecycle(this, options, PruneAsync, logger, Description, writeSlots: 1);
    }

    /// <inheritdoc />
    public string Description => "memory (benchmark only: not durable, lost on exit)";

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken) => _lifecycle.InitializeAsync(NothingToMigrate, cancellationToken);

    /// <inheritdoc />
    public ValueTask<long> AppendAsync(Guid batchKey, string room, ReadOnlyMemory<NewMessage> batch, CancellationToken cancellationToken)
    {
        StoreArguments.CheckAppend(room, batch);

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _lifecycle.ThrowIfDisposed();
            if (_batchKeys.TryGetValue(batchKey, out var committed))
            {
                return ValueTask.FromResult(committed.FirstId);
            }

            if (!_rooms.TryGetValue(room, out var stored)) _rooms[room] = stored = new InMemoryRoom();
            var firstId = stored.LastId + 1;
            foreach (var message in batch.Span)
            {
                stored.Messages.Add(new StoredMessage(
                    ++stored.LastId,
                    StoredText.ToStoredString(message.Username),
                    StoredText.ToStoredString(message.Comment),
                    StoredTime.Normalize(message.Timestamp)));
            }

            var now = Environment.TickCount64;
            _batchKeys[batchKey] = (firstId, now);
            if (now - _lastKeyPruneMs >= (long)BatchKeyPolicy.PruneInterval.TotalMilliseconds)
            {
                _lastKeyPruneMs = now;
                var cutoff = now - (long)BatchKeyPolicy.Lifetime.TotalMilliseconds;
                foreach (var (key, entry) in _batchKeys)
                {
                    if (entry.CommittedMs < cutoff) _batchKeys.Remove(key);
                }
            }

            return ValueTask.FromResult(firstId);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMessage>> ReadLatestAsync(string room, int limit, CancellationToken cancellationToken)
    {
        StoreArguments.CheckRead(room, limit);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _lifecycle.ThrowIfDisposed();
            if (!_rooms.TryGetValue(room, out var stored)) return Task.FromResult<IReadOnlyList<StoredMessage>>([]);
            var count = Math.Min(limit, stored.Messages.Count);
            return Task.FromResult<IReadOnlyList<StoredMessage>>(stored.Messages.GetRange(stored.Messages.Count - count, count));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMessage>> ReadAfterAsync(string room, long afterId, int limit, CancellationToken cancellationToken)
    {
        StoreArguments.CheckRead(room, limit);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _lifecycle.ThrowIfDisposed();
            if (!_rooms.TryGetValue(room, out var stored)) return Task.FromResult<IReadOnlyList<StoredMessage>>([]);
            var start = (int)Math.Clamp(afterId - stored.FirstId + 1, 0, stored.Messages.Count);
            var count = Math.Min(limit, stored.Messages.Count - start);
            return Task.FromResult<IReadOnlyList<StoredMessage>>(stored.Messages.GetRange(start, count));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RoomSummary>> ReadRoomsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _lifecycle.ThrowIfDisposed();
            return Task.FromResult<IReadOnlyList<RoomSummary>>(
                [.. _rooms.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new RoomSummary(r.Key, r.Value.LastId))]);
        }
    }

    /// <inheritdoc />
    public Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        return Task.FromResult(!_lifecycle.IsDisposed);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _lifecycle.DisposeAsync(Forget);

    private static Task NothingToMigrate(CancellationToken cancellationToken) => Task.CompletedTask;

    // Appends check the lifecycle inside the same lock, so none lands after this.
    private ValueTask Forget()
    {
        lock (_gate)
        {
            _rooms.Clear();
            _batchKeys.Clear();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>One retention pass, as the database stores do it: a prefix of the ids goes; returns how many.</summary>
    internal Task<long> PruneAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var pruned = 0;
            var cutoff = DateTime.UtcNow.AddDays(-_options.RetentionDays);
            foreach (var stored in _rooms.Values)
            {
                if (_options.RetentionDays > 0)
                {
                    // Everything below the first message newer than the cutoff, so history stays a contiguous id range.
                    var firstKept = stored.Messages.FindIndex(m => m.Timestamp >= cutoff);
                    pruned += Remove(stored, firstKept < 0 ? stored.Messages.Count : firstKept);
                }

                if (_options.RetentionMaxRows > 0)
                {
                    pruned += Remove(stored, (int)Math.Max(0, stored.Messages.Count - _options.RetentionMaxRows));
                }
            }

            return Task.FromResult((long)pruned);
        }
    }

    private static int Remove(InMemoryRoom room, int count)
    {
        room.Messages.RemoveRange(0, count);
        return count;
    }
}
