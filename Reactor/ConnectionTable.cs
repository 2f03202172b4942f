using System.Collections.Concurrent;

namespace Chat.Reactor;

/// <summary>
/// A transport's open connections: numbered and counted at the door, forgotten when they close, aborted and awaited
/// when the transport is disposed. Both transports keep theirs in one. Thread-safe.
/// </summary>
internal sealed class ConnectionTable
{
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastId;
    private int _open;
    private int _closing;

    /// <summary>Open connections: counted from before the pipeline hears of one until after it closed.</summary>
    public int Count => Volatile.Read(ref _open);

    /// <summary>The id of the next connection: 1, 2, … for the transport's life.</summary>
    public long NextId() => Interlocked.Increment(ref _lastId);

    public void Add(Connection connection)
    {
        Interlocked.Increment(ref _open);
        _connections[connection.Id] = connection;
    }

    public void Remove(Connection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        Interlocked.Decrement(ref _open);
        if (Volatile.Read(ref _closing) == 1 && _connections.IsEmpty) _allClosed.TrySetResult();
    }

    /// <summary>Aborts every connection; completes when the last has closed. Call once accepting has stopped.</summary>
    public Task CloseAllAsync()
    {
        Volatile.Write(ref _closing, 1);
        foreach (var connection in _connections.Values) connection.Abort();
        if (_connections.IsEmpty) _allClosed.TrySetResult();
        return _allClosed.Task;
    }
}
