using System.Collections.Concurrent;
using System.Net;

namespace Chat.Pipeline.Sessions;

/// <summary>Every open connection's session, for the keep-alive sweeper, shutdown and the connection limits.</summary>
internal sealed class SessionRegistry(int maxConnections, int maxConnectionsPerAddress)
{
    private readonly ConcurrentDictionary<long, Session> _sessions = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ICollection<Session> All => _sessions.Values;

    /// <summary>Registers the session unless a connection limit is reached (0 means no limit).</summary>
    public bool TryAdd(Session session)
    {
        var address = session.Connection.RemoteEndPoint.Address;
        if (maxConnections > 0 && Interlocked.Increment(ref _count) > maxConnections)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        if (maxConnections <= 0) Interlocked.Increment(ref _count);
        var fromAddress = _perAddress.AddOrUpdate(address, 1, static (_, n) => n + 1);
        if (maxConnectionsPerAddress > 0 && fromAddress > maxConnectionsPerAddress)
        {
            Release(address);
            return false;
        }
        _sessions[session.Id] = session;
        return true;
    }

    public void Remove(Session session)
    {
        if (_sessions.TryRemove(session.Id, out _)) Release(session.Connection.RemoteEndPoint.Address);
    }

    private void Release(IPAddress address)
    {
        Interlocked.Decrement(ref _count);
        while (true)
        {
            if (!_perAddress.TryGetValue(address, out var n)) return;
            if (n <= 1 ? _perAddress.TryRemove(KeyValuePair.Create(address, n)) : _perAddress.TryUpdate(address, n - 1, n)) return;
        }
    }
}
