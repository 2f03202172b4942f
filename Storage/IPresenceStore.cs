namespace Chat.Storage;

/// <summary>
/// Where the nodes sharing a database publish who is online in their rooms, each under a lease, so that every node
/// can show the union and a node that dies drops out when its lease runs out. Only stores shared by several processes
/// have one (PostgreSQL); the embedded store's node knows its own presence alone.
/// </summary>
public interface IPresenceStore : IAsyncDisposable
{
    /// <summary>
    /// Writes this node's rows for <paramref name="rooms"/> (a row without connections removes the room) with a lease of
    /// <paramref name="lease"/> from the database's clock, and tells the other nodes (see <see cref="ICommitFeed"/>).
    /// With <paramref name="replaceAll"/> (a renewal) the rooms are this node's whole presence: its rows of other rooms
    /// go, and the other nodes are not told (they find it at their next periodic read).
    /// Throws when the database does not answer (the caller retries).
    /// </summary>
    Task PublishAsync(IReadOnlyList<PresenceRow> rooms, bool replaceAll, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// The other nodes' rows whose lease has not run out, after deleting every row whose lease ran out (any node
    /// sweeps, so a dead node's rows go even when no node of its own comes back). Throws when the database does not answer.
    /// </summary>
    Task<IReadOnlyList<PresenceRow>> ReadOthersAsync(CancellationToken cancellationToken);

    /// <summary>Deletes this node's rows and tells the other nodes (a clean stop). Throws when the database does not answer.</summary>
    Task RemoveAsync(CancellationToken cancellationToken);
}
