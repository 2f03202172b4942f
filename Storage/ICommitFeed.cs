namespace Chat.Storage;

/// <summary>
/// Tells a node when other nodes sharing its database committed batches, so it can read and deliver their messages.
/// Carries only rooms and ids, never messages (NOTIFY payloads are small and bounded).
/// </summary>
public interface ICommitFeed
{
    /// <summary>
    /// Runs until cancelled. Calls <paramref name="committed"/> with the room and last id of each batch another node committed,
    /// and <paramref name="connected"/> each time the feed (re)connected: notifications sent while it was away are lost,
    /// so the node must look for anything newer than what it delivered. Reconnects with backoff; never throws but on
    /// cancellation.
    /// </summary>
    Task RunAsync(Action<string, long> committed, Action connected, CancellationToken cancellationToken);
}
