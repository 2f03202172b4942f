using Xunit.Abstractions;
using Xunit.Sdk;

namespace Chat.UnitTests.Infrastructure;

/// <summary>Discovers [StoreFact]: a skipped test case in a Postgres-collection class when PostgreSQL tests do not run.</summary>
public sealed class StoreFactDiscoverer : FactDiscoverer
{
    public StoreFactDiscoverer(IMessageSink diagnosticMessageSink)
        : base(diagnosticMessageSink)
    {
    }

    protected override IXunitTestCase CreateTestCase(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var inPostgresCollection =
            testMethod.TestClass.TestCollection.CollectionDefinition?.Name == typeof(PostgresCollection).FullName;
        if (inPostgresCollection && PostgresRequirement.SkipReason is { } reason)
        {
            return new XunitSkippedDataRowTestCase(
                DiagnosticMessageSink,
                discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(),
                testMethod,
                reason);
        }

        return base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}
