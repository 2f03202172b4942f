namespace Chat.Pipeline.Rooms;

/// <summary>
/// When a room's <see cref="Room.LastId"/> moved, as the broadcast stage saw it: one entry per fan-out run (stamped
/// before its first frame is queued) and per id gap the cluster feed skipped. It answers "which id was last delivered
/// when this timestamp was taken", so that a client joining without <c>since</c> starts at the 101 it was sent.
/// Why that loses nothing: the handshake stamps the join just before it queues the 101, and the join reaches broadcast
/// later (between two of its items). Any message this client is owed was sent by a peer that could already know of
/// the client, so after the 101 was queued; its run starts after the stamp, and its id is above the answer. If the run
/// ran before the join was taken, the client gets it from the window (or the store) as a client with that
/// <c>since</c> would; if after, the client is live by then. A run that started at or before the stamp was under way
/// before the 101 existed: the client does not get it, as it would not have had it had its join been instant. Ids at
/// or below the answer never reach it, and catch-up ends at the live cursor, so nothing comes twice.
/// Bounded without losing an answer: when full, neighbouring entries are merged pairwise instead of dropped. A merged
/// entry knows only that its runs started between its first and last stamp; a timestamp inside that span gets the id
/// before the entry (more messages, never fewer). Old entries are merged most often, and old timestamps are rare: a
/// join's timestamp is older than the moment broadcast takes it by about one broadcast item (a cluster page can be a
/// thousand runs).
/// Only the broadcast worker touches it.
/// </summary>
internal sealed class LastIdHistory
{
    /// <summary>Entries kept before merging; a cluster page of a thousand messages is a thousand runs, so this is a span of recent ones.</summary>
    public const int Capacity = 256;

    private readonly Move[] _moves = new Move[Capacity];
    private int _count;

    public int Count => _count;

    /// <summary>LastId went from <paramref name="before"/> to <paramref name="after"/> in a step that started at <paramref name="startedAt"/>.</summary>
    public void Moved(long startedAt, long before, long after)
    {
        if (_count == Capacity) Halve();
        _moves[_count++] = new Move(startedAt, startedAt, before, after);
    }

    /// <summary>
    /// The last id delivered when <paramref name="stamp"/> was taken, or an earlier one where the record is coarse;
    /// <paramref name="current"/> when nothing moved since the room was made.
    /// </summary>
    public long At(long stamp, long current)
    {
        if (_count == 0) return current;
        // Backwards: a join's stamp is recent, so this stops after an entry or two.
        for (var i = _count - 1; i >= 0; i--)
        {
            ref readonly var move = ref _moves[i];
            if (move.FirstStart > stamp) continue;
            return stamp >= move.LastStart ? move.After : move.Before;
        }
        return _moves[0].Before;
    }

    /// <summary>Merges each pair of neighbours into one entry: half the entries, every span kept.</summary>
    private void Halve()
    {
        for (var i = 0; i < _count / 2; i++)
        {
            ref readonly var older = ref _moves[2 * i];
            ref readonly var newer = ref _moves[2 * i + 1];
            _moves[i] = new Move(older.FirstStart, newer.LastStart, older.Before, newer.After);
        }
        _count /= 2;
    }

    /// <summary>Steps that started between <see cref="FirstStart"/> and <see cref="LastStart"/> took LastId from <see cref="Before"/> to <see cref="After"/>.</summary>
    private readonly record struct Move(long FirstStart, long LastStart, long Before, long After);
}
