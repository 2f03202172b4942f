using Chat.Storage;

namespace Chat.Server;

/// <summary>
/// What a node needs when other nodes may share its database: the commit feed and the presence store (both null on
/// the embedded store). Released after the store, once the pipeline stopped using them.
/// </summary>
internal sealed record ClusterParts(ICommitFeed? Feed, IPresenceStore? Presence) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        if (Feed is not null) await Feed.DisposeAsync().ConfigureAwait(false);
        if (Presence is not null) await Presence.DisposeAsync().ConfigureAwait(false);
    }
}
