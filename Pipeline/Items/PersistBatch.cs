using Chat.Storage;
using Microsoft.Extensions.ObjectPool;

namespace Chat.Pipeline.Items;

/// <summary>
/// What the persist stage hands to broadcast: the items of one room it took from its channel, in order (chat messages
/// with the Closed, Signal and CloseAfter items between them), and the id the store gave the first chat message in that room.
/// Reused through an <see cref="ObjectPool{T}"/> (see <see cref="Pool"/>): persist rents, broadcast returns.
/// </summary>
internal sealed class PersistBatch : IResettable
{
    private MessageItem[] _entries = new MessageItem[64];
    private NewMessage[] _rows = new NewMessage[64];

    public int Count { get; private set; }

    /// <summary>The room of every item in the batch.</summary>
    public Rooms.Room Room { get; set; } = null!;

    public int RowCount { get; private set; }

    /// <summary>Id of the first chat message; the k-th chat message has FirstId + k.</summary>
    public long FirstId { get; set; }

    /// <summary>Key that makes a retried append idempotent (see <see cref="IMessageStore.AppendAsync"/>).</summary>
    public Guid Key { get; private set; } = Guid.NewGuid();

    public ReadOnlySpan<MessageItem> Entries => _entries.AsSpan(0, Count);

    public ReadOnlyMemory<NewMessage> Rows => _rows.AsMemory(0, RowCount);

    public void Add(in MessageItem item)
    {
        if (Count == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        _entries[Count++] = item;
        if (item.Kind != ItemKind.Chat) return;
        if (RowCount == _rows.Length) Array.Resize(ref _rows, _rows.Length * 2);
        _rows[RowCount++] = new NewMessage(item.Session.Member!.UsernameEscaped, item.Buffer.AsMemory(0, item.Count), item.Timestamp);
    }

    /// <summary>
    /// The pool of a pipeline with at most <paramref name="maxRooms"/> rooms. In steady state each active room has one
    /// batch filling in persist and about one on its way through broadcast, so that many are kept; a burst past it
    /// leaves the extra batches to the collector instead of keeping them for ever.
    /// </summary>
    public static ObjectPool<PersistBatch> Pool(int maxRooms) =>
        new DefaultObjectPool<PersistBatch>(new DefaultPooledObjectPolicy<PersistBatch>(), maximumRetained: 2 * maxRooms);

    /// <summary>Empties the batch for its next room (the pool calls it on return); always reusable.</summary>
    public bool TryReset()
    {
        Array.Clear(_entries, 0, Count);
        Array.Clear(_rows, 0, RowCount);
        Count = 0;
        RowCount = 0;
        FirstId = 0;
        Room = null!;
        Key = Guid.NewGuid();
        return true;
    }
}
