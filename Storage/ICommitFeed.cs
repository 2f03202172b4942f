namespace Chat.Storage;

/// <summary>
/// Tells a node when other nodes sharing its database committed batches, so it can read and deliver their messages.
/// Carries only rooms and ids, never messages (NOTIFY payloads are small and bounded), and the small payloads nodes
/// publish to each other (signalling), which are never stored.
/// </summary>
public interface ICommitFeed : IAsyncDisposable
{
    /// <summary>
    /// Runs until cancelled. Calls <paramref name="committed"/> with the room and last id of each batch another node committed,
    /// and <paramref name="connected"/> each time the feed (re)connected: notifications sent while it was away are lost,
    /// so the node must look for anything newer than what it delivered. Reconnects with backoff; never throws but on
    /// cancellation.
    /// </summary>
    /// <remarks>
    /// <paramref name="signalled"/> gets the room and payload of each <see cref="PublishAsync"/> of another node;
    /// <paramref name="presenceChanged"/> the node id of each other node whose presence rows changed (see <see cref="IPresenceStore"/>).
    /// </remarks>
    Task RunAsync(Action<string, long> committed, Action<string, string> signalled, Action<string> presenceChanged, Action connected, CancellationToken cancellationToken);

    /// <summary>Whether a payload of <paramref name="payloadBytes"/> UTF-8 bytes for <paramref name="room"/> can go through <see cref="PublishAsync"/>.</summary>
    bool Fits(string room, int payloadBytes);

    /// <summary>
    /// Hands a payload for a room to the other nodes' feeds, now, without storing it (best effort: a node whose feed is
    /// reconnecting misses it). False when it is longer than the transport allows (see <see cref="Fits"/>); throws when
    /// the database does not answer (the caller counts and logs it).
    /// </summary>
    Task<bool> PublishAsync(string room, string payload, CancellationToken cancellationToken);
}
