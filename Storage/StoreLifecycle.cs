using Microsoft.Extensions.Logging;

namespace Chat.Storage;

/// <summary>
/// The lifecycle both database stores share: initialise (migrate, then start the retention schedule once), one gate per
/// append slot, and dispose (stop retention, wait for every append in flight, close the writers once). A store keeps
/// only what is its own, its SQL and its connections, and hands those in as delegates.
/// </summary>
internal sealed class StoreLifecycle
{
    private readonly object _owner;
    private readonly StoreOptions _options;
    private readonly Func<CancellationToken, Task<long>> _prune;
    private readonly ILogger _logger;
    private readonly string _store;

    // Concurrent initialisations run one at a time, so migrations of one process never race and one schedule starts.
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private readonly SemaphoreSlim[] _writeGates;

    // Guards the hand-over of the schedule between an initialisation that starts it and a dispose that stops it.
    private readonly Lock _retentionGate = new();
    private RetentionLoop? _retention;
    private bool _stopping;
    private volatile bool _disposed;

    /// <param name="owner">The store, named by <see cref="ObjectDisposedException"/>.</param>
    /// <param name="options">Whether and how often retention runs.</param>
    /// <param name="prune">One retention pass of the store; returns how many messages it deleted.</param>
    /// <param name="logger">Retention events.</param>
    /// <param name="store">The store's description, for the log.</param>
    /// <param name="writeSlots">How many appends may run at once, each on its own slot.</param>
    public StoreLifecycle(
        object owner, StoreOptions options, Func<CancellationToken, Task<long>> prune, ILogger logger, string store, int writeSlots)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(writeSlots);
        _owner = owner;
        _options = options;
        _prune = prune;
        _logger = logger;
        _store = store;
        _writeGates = [.. Enumerable.Range(0, writeSlots).Select(_ => new SemaphoreSlim(1, 1))];
    }

    /// <summary>True once <see cref="DisposeAsync"/> has closed the writers.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>True while the retention schedule runs.</summary>
    internal bool RetentionRunning
    {
        get
        {
            lock (_retentionGate) return _retention is not null;
        }
    }

    /// <summary>The guard of every public call of the store.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, _owner);

    /// <summary>
    /// Runs <paramref name="migrate"/> (every call: migrations are idempotent), then starts the retention schedule when
    /// the options ask for one and none runs yet. A dispose that began meanwhile wins: no schedule starts after it.
    /// </summary>
    public async Task InitializeAsync(Func<CancellationToken, Task> migrate, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _initGate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfDisposed();
            await migrate(cancellationToken);
            lock (_retentionGate)
            {
                ObjectDisposedException.ThrowIf(_stopping, _owner);
                if (_options.RetentionEnabled && _retention is null)
                {
                    _retention = new RetentionLoop(_options.RetentionInterval, _prune, _logger, _store);
                }
            }
        }
        finally
        {
            _initGate.Release();
        }
    }

    /// <summary>
    /// Waits for the slot's gate and holds it until the lease is disposed; throws <see cref="ObjectDisposedException"/>
    /// once the store is disposed, so no append starts on a closed writer.
    /// </summary>
    public async ValueTask<StoreWriteLease> EnterWriteAsync(int slot, CancellationToken cancellationToken)
    {
        var gate = _writeGates[slot];
        await gate.WaitAsync(cancellationToken);
        if (_disposed)
        {
            gate.Release();
            ThrowIfDisposed();
        }

        return new StoreWriteLease(gate);
    }

    /// <summary>
    /// Stops retention (a pass in flight is cancelled and awaited), waits for every append in flight, then runs
    /// <paramref name="closeWriters"/> once. True for the call that closed them: that caller releases the store's
    /// connections; a later or concurrent call returns false.
    /// </summary>
    public async ValueTask<bool> DisposeAsync(Func<ValueTask> closeWriters)
    {
        RetentionLoop? retention;
        lock (_retentionGate)
        {
            _stopping = true;
            retention = _retention;
            _retention = null;
        }

        if (retention is not null)
        {
            await retention.DisposeAsync();
        }

        foreach (var gate in _writeGates)
        {
            await gate.WaitAsync();
        }

        try
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
            await closeWriters();
            return true;
        }
        finally
        {
            foreach (var gate in _writeGates)
            {
                gate.Release();
            }
        }
    }
}
