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
    private int _publishedTotal;
    // The set of names changed since Online was last rebuilt.
    private bool _namesChanged;

    /// <summary>
    /// The room's names on every node, sorted (ordinal), each once, as of the last <see cref="TakeChanges"/>: the
    /// presence tick (a few times a second) and a new watcher's first frame refresh it. Rebuilt there, not on every
    /// join, so a room of N names costs O(N log N) per tick instead of per join (15 000 joins took 1.3 ms each).
    /// </summary>
    public string[] Online => Volatile.Read(ref _online);

    /// <summary>Connections counted, on every node.</summary>
    public int Connections => Volatile.Read(ref _total);

    /// <summary>This node's connections.</summary>
    public int LocalConnections { get; private set; }

    /// <summary>
    /// True when the set of names or the connection count (every node's) changed since the last
    /// <see cref="TakeChanges"/>: a second tab under the same name changes only the count, and "N online" must follow.
    /// </summary>
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

    /// <summary>
    /// Names that joined and left since the last call (sorted), whether the connection count differs from the last
    /// call's, and the set and count from now on.
    /// </summary>
    public (string[] Joined, string[] Left, bool CountChanged) TakeChanges()
    {
        var now = Union();
        if (_namesChanged)
        {
            Volatile.Write(ref _online, [.. now.Order(StringComparer.Ordinal)]);
            _namesChanged = false;
        }
        var joined = now.Where(n => !_published.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        var left = _published.Where(n => !now.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        var countChanged = _total != _publishedTotal;
        _published = now;
        _publishedTotal = _total;
        Changed = false;
        return (joined, left, countChanged);
    }

    private HashSet<string> Union()
    {
        var union = new HashSet<string>(_connections.Keys, StringComparer.Ordinal);
        union.UnionWith(_remote);
        return union;
    }

    private void Count()
    {
        Volatile.Write(ref _total, LocalConnections + _remoteConnections);
        if (_total != _publishedTotal) Changed = true;
    }

    private void Republish()
    {
        Changed = true;
        _namesChanged = true;
    }
}
