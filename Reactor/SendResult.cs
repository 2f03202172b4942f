namespace Chat.Reactor;

public enum SendResult
{
    /// <summary>Queued; the queue is below half the high-water mark.</summary>
    Accepted,
    /// <summary>Queued, but the queue is past half the high-water mark: the peer reads slower than we write.</summary>
    Backpressure,
    /// <summary>Not queued: it would pass the high-water mark. The caller decides what to do with the peer.</summary>
    Dropped,
    /// <summary>Not queued: the connection is closing or closed.</summary>
    Closed,
}
