using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>The open connections and the one path a message takes: store it, then queue it to every connection.</summary>
internal sealed class ChatRoom(IChatStore store, BaselineMetrics metrics)
{
    private const int MaxNameChars = 32;
    private readonly ConcurrentDictionary<long, ChatConnection> _connections = new();

    // One message at a time from insert to the last enqueue: ids then reach every client in increasing order, which
    // concurrent autocommit inserts (a sequence hands out ids before their transactions commit) would not guarantee.
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private long _lastConnectionId;
    private long _lastGuest;

    public IChatStore Store => store;

    public BaselineMetrics Metrics => metrics;

    public long NextConnectionId() => Interlocked.Increment(ref _lastConnectionId);

    /// <summary>The requested name when it has 1..32 characters after trimming and no control characters, else User + a number.</summary>
    public string AssignName(string? requested)
    {
        var name = requested?.Trim();
        if (name is not null && name.EnumerateRunes().Count() is >= 1 and <= MaxNameChars
            && !name.EnumerateRunes().Any(Rune.IsControl))
        {
            return name;
        }

        return "User" + Interlocked.Increment(ref _lastGuest).ToString(CultureInfo.InvariantCulture);
    }

    public void Join(ChatConnection connection)
    {
        _connections[connection.Id] = connection;
        metrics.Connected();
    }

    public void Leave(ChatConnection connection)
    {
        if (_connections.TryRemove(connection.Id, out _)) metrics.Disconnected();
    }

    /// <summary>Stores the message, then queues its frame, encoded once, to every open connection.</summary>
    public async Task PublishAsync(string username, string comment, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var timestamp = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        await _publishGate.WaitAsync(cancellationToken);
        try
        {
            var message = await store.AppendAsync(username, comment, timestamp, cancellationToken);
            metrics.Stored();
            var frame = new OutboundFrame(message.Id, ChatJson.Encode(message));
            foreach (var (_, connection) in _connections) connection.Enqueue(frame);
        }
        finally
        {
            _publishGate.Release();
        }
    }
}
