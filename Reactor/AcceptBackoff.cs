namespace Chat.Reactor;

/// <summary>
/// The pause after an accept that failed for want of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM): 10 ms, doubling to
/// 1 s while failures go on, back to 10 ms after an accept succeeds. A level-triggered listener with a full backlog is
/// readable all the time, so retrying at once would spin a core and log without end. Used by one accept loop at a time.
/// </summary>
internal sealed class AcceptBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    private TimeSpan _next = First;

    /// <summary>The pause to take after this failure; the next failure's is twice as long, up to <see cref="Longest"/>.</summary>
    public TimeSpan Failed()
    {
        var delay = _next;
        _next = delay * 2 > Longest ? Longest : delay * 2;
        return delay;
    }

    public void Succeeded() => _next = First;
}
