namespace Chat.UnitTests.Conformance;

/// <summary>The permessage-deflate cases share one set of servers and run one after another (no cross-talk of broadcasts).</summary>
[CollectionDefinition(Name)]
public sealed class DeflateCollection : ICollectionFixture<DeflateServers>
{
    public const string Name = "Deflate conformance";
}
