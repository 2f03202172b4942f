using Chat.LoadTests.Measurement;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// What the clients of one replay round received against the ids they asked for: every expected id exactly once and
/// in order for every client, nothing else. A client that never connected misses all of them.
/// </summary>
internal sealed record ReplayTally(long Expected, long Received, long Gaps, long Duplicates, long OutOfOrder, long Unexpected)
{
    public bool Passed => Gaps == 0 && Duplicates == 0 && OutOfOrder == 0 && Unexpected == 0 && Received == Expected;

    /// <param name="clients">Clients the round asked for, connected or not.</param>
    /// <param name="expected">The ids after the round's since=, in the order they were stored.</param>
    /// <param name="received">Each connected client's ids of this run, in the order it got them.</param>
    public static ReplayTally Of(int clients, IReadOnlyList<long> expected, IReadOnlyList<IReadOnlyList<long>> received)
    {
        long gaps = (long)(clients - received.Count) * expected.Count, duplicates = 0, outOfOrder = 0, unexpected = 0;
        foreach (var ids in received)
        {
            var check = IdSequenceCheck.Compare(expected, ids);
            gaps += check.Gaps;
            duplicates += check.Duplicates;
            outOfOrder += check.OutOfOrder;
            unexpected += check.Unexpected;
        }

        return new ReplayTally((long)clients * expected.Count, received.Sum(ids => (long)ids.Count), gaps, duplicates, outOfOrder, unexpected);
    }
}
