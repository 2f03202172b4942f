namespace Chat.UnitTests.Conformance;

/// <summary>The timer and Origin cases: their own servers, so they run beside the main conformance collection.</summary>
[CollectionDefinition(Name)]
public sealed class TimeoutCollection : ICollectionFixture<TimeoutServers>
{
    public const string Name = "Conformance timeouts";
}
