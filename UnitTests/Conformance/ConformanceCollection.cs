namespace Chat.UnitTests.Conformance;

/// <summary>
/// The conformance cases share one pair of servers and run one after another, so that no case sees another case's
/// broadcasts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<ConformanceServers>
{
    public const string Name = "Conformance";
}
