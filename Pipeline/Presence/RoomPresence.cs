namespace Chat.Pipeline.Presence;

/// <summary>
/// Who is online in one room on every node: a count of this node's connections per (escaped) username, and the other
/// nodes' names and connection total as last read from the store. Changed by the broadcast stage only, so the local
/// and the remote part change in one order and every frame is a step from one set to the next; <see cref="Online"/>
/// and <see cref="Connections"/> are snapshots that other threads (GET /presence, /rooms) read.
/// </summary>
internal sealed class RoomPresence
{
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);
    private HashSet<string> _remote = new(StringComparer.Ordinal);
    private HashSet<string> _published = new(StringComparer.Ordinal);
    private string[] _online = [];
    private int _remoteConnections;
    private int _total;

    /// <summary>The room's names on every node, sorted (ordinal), each once.</summary>
    public string[] Online => Volatile.Read(ref _online);

    /// <summary>Connections counted, on every node.</summary>
    public int Connections => Volatile.Read(ref _total);

    /// <summary>This node's connections.</summary>
    public int LocalConnections { get; private set; }

    /// <summary>True when the set of names (every node's) changed since the last <see cref="TakeChanges"/>.</summary>
    public bool Changed { get; private set; }

    /// <summary>True when this node's names or connections changed since the last <see cref="TakeLocal"/>.</summary>
    public bool LocalChanged { get; private set; }

    public void Add(string name)
    {
        LocalConnections++;
        LocalChanged = true;
        Count();
        if (_connections.TryGetValue(name, out var count))
        {
            _connections[name] = count + 1;
            return;
        }
        _connections[name] = 1;
        if (!_remote.Contains(name)) Republish();
    }

    public void Remove(string name)
    {
        if (!_connections.TryGetValue(name, out var count)) return;
        LocalConnections--;
        LocalChanged = true;
        Count();
        if (count > 1)
        {
            _connections[name] = count - 1;
            return;
        }
        _connections.Remove(name);
        if (!_remote.Contains(name)) Republish();
    }

    /// <summary>The other nodes' names (each once) and connections in the room, replacing what they were.</summary>
    public void SetRemote(IReadOnlyCollection<string> names, int connections)
    {
        _remoteConnections = connections;
        Count();
        if (_remote.SetEquals(names)) return;
        _remote = new HashSet<string>(names, StringComparer.Ordinal);
        Republish();
    }

    /// <summary>This node's names (sorted) and connections, for the other nodes; clears <see cref="LocalChanged"/>.</summary>
    public (string[] Names, int Connections) TakeLocal()
    {
        LocalChanged = false;
        return ([.. _connections.Keys.Order(StringComparer.Ordinal)], LocalConnections);
    }

    /// <summary>Names that joined and left since the last call (sorted), and the set from now on.</summary>
    public (string[] Joined, string[] Left) TakeChanges()
    {
        var now = Union();
        var joined = now.Where(n => !_published.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        var left = _published.Where(n => !now.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        _published = now;
        Changed = false;
        return (joined, left);
    }

    private HashSet<string> Union()
    {
        var union = new HashSet<string>(_connections.Keys, StringComparer.Ordinal);
        union.UnionWith(_remote);
        return union;
    }

    private void Count() => Volatile.Write(ref _total, LocalConnections + _remoteConnections);

    private void Republish()
    {
        Changed = true;
        Volatile.Write(ref _online, [.. Union().Order(StringComparer.Ordinal)]);
    }
}
