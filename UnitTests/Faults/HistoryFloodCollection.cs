namespace Chat.UnitTests.Faults;

/// <summary>
/// The latency measurements of the history flood run alone, after the parallel collections: another test's load on
/// the same two cores would be measured as the flood's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HistoryFloodCollection
{
    public const string Name = "HistoryFlood";
}
