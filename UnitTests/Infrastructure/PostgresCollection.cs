using Xunit;

namespace Chat.UnitTests.Infrastructure;

/// <summary>The test classes that share one PostgreSQL cluster per test run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Postgres";
}
