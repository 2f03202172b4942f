namespace Chat.UnitTests.Pipeline;

/// <summary>
/// The allocation counter is process-wide: these tests run alone, after the parallel collections, so that no other
/// test's allocations are counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation";
}
