using Chat.Reactor;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// Chat messages of one connection inside the pipeline, between the escape stage (which adds each one it accepts)
/// and the broadcast stage (which removes it once echoed). Past the limit the connection's reads pause, and they
/// resume at half of it. Thread-safe: the two stages run on their own workers, and the sweeper reads the count.
/// </summary>
internal sealed class PendingMessages(Connection connection)
{
    private int _count;
    private int _paused;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Reads are paused for too many pending messages.</summary>
    public bool ReadPaused => Volatile.Read(ref _paused) == 1;

    /// <summary>A message was accepted; pauses reading when the count passes <paramref name="limit"/>.</summary>
    public void Add(int limit)
    {
        if (Interlocked.Increment(ref _count) > limit && Interlocked.Exchange(ref _paused, 1) == 0) connection.PauseReading();
    }

    /// <summary>A message was echoed; resumes reading paused here once at most half of <paramref name="limit"/> are left.</summary>
    public void Remove(int limit)
    {
        if (Interlocked.Decrement(ref _count) <= limit / 2 && Interlocked.CompareExchange(ref _paused, 0, 1) == 1) connection.ResumeReading();
    }

    /// <summary>A message was lost on a connection being closed: counted out, and its paused reads stay paused.</summary>
    public void Drop() => Interlocked.Decrement(ref _count);
}
