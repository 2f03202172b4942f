namespace Chat.LoadTests.Measurement;

/// <summary>
/// A reconnecting client's ids against a reference client's that stayed connected: after catch-up with since= the
/// two must be the same list. Gaps are ids the reference saw and the client did not; duplicates, ids the client saw
/// more than once; out-of-order, places where an id is not above the one before.
/// </summary>
internal sealed record IdSequenceCheck(long Gaps, long Duplicates, long OutOfOrder, long Unexpected)
{
    public bool Passed => Gaps == 0 && Duplicates == 0 && OutOfOrder == 0 && Unexpected == 0;

    public static IdSequenceCheck Compare(IReadOnlyList<long> reference, IReadOnlyList<long> actual)
    {
        var seen = new HashSet<long>();
        long duplicates = 0, outOfOrder = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            if (!seen.Add(actual[i])) duplicates++;
            else if (i > 0 && actual[i] <= actual[i - 1]) outOfOrder++;
        }

        var expected = reference.ToHashSet();
        var gaps = expected.Count(id => !seen.Contains(id));
        var unexpected = seen.Count(id => !expected.Contains(id));
        return new IdSequenceCheck(gaps, duplicates, outOfOrder, unexpected);
    }
}
