namespace Chat.Pipeline.Presence;

/// <summary>
/// Who is online in one room on this node: a count of connections per (escaped) username. Changed by the broadcast
/// stage only; <see cref="Online"/> is an immutable sorted snapshot that other threads (GET /presence) read.
/// </summary>
internal sealed class RoomPresence
{
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);
    private HashSet<string> _published = new(StringComparer.Ordinal);
    private string[] _online = [];

    /// <summary>The room's names, sorted (ordinal), each once.</summary>
    public string[] Online => Volatile.Read(ref _online);

    /// <summary>Connections counted.</summary>
    public int Connections { get; private set; }

    /// <summary>True when the set of names changed since the last <see cref="TakeChanges"/>.</summary>
    public bool Changed { get; private set; }

    public void Add(string name)
    {
        Connections++;
        if (_connections.TryGetValue(name, out var count))
        {
            _connections[name] = count + 1;
            return;
        }
        _connections[name] = 1;
        Republish();
    }

    public void Remove(string name)
    {
        if (!_connections.TryGetValue(name, out var count)) return;
        Connections--;
        if (count > 1)
        {
            _connections[name] = count - 1;
            return;
        }
        _connections.Remove(name);
        Republish();
    }

    /// <summary>Names that joined and left since the last call (sorted), and the set from now on.</summary>
    public (string[] Joined, string[] Left) TakeChanges()
    {
        var now = new HashSet<string>(_connections.Keys, StringComparer.Ordinal);
        var joined = now.Where(n => !_published.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        var left = _published.Where(n => !now.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        _published = now;
        Changed = false;
        return (joined, left);
    }

    private void Republish()
    {
        Changed = true;
        Volatile.Write(ref _online, [.. _connections.Keys.Order(StringComparer.Ordinal)]);
    }
}
