using Chat.Reactor;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// HTTP requests of one connection that were read and not yet answered onto its queue. Past the limit the connection's
/// reads pause (TCP then pushes back on a pipelining client), and they resume once half of them are answered, the
/// way Kestrel pauses at a maximum and resumes at half. Thread-safe: the parse stage enters, answers leave from
/// whichever thread queued them.
/// </summary>
internal sealed class RequestsInFlight(Connection connection, int limit)
{
    private int _count;
    private int _paused;

    public int Count => Volatile.Read(ref _count);

    /// <summary>A request was read; pauses reading when this one reaches the limit.</summary>
    public void Enter()
    {
        if (Interlocked.Increment(ref _count) < limit || Interlocked.Exchange(ref _paused, 1) == 1) return;
        connection.PauseReading();
        // Every answer may have left between the increment and the pause, and none of them saw the pause: look again.
        if (Volatile.Read(ref _count) <= limit / 2 && Interlocked.CompareExchange(ref _paused, 0, 1) == 1) connection.ResumeReading();
    }

    /// <summary>A request's answer is on the queue; resumes reading at half the limit.</summary>
    public void Leave()
    {
        if (Interlocked.Decrement(ref _count) <= limit / 2 && Interlocked.CompareExchange(ref _paused, 0, 1) == 1) connection.ResumeReading();
    }
}
