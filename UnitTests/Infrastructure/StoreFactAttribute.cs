using Xunit;
using Xunit.Sdk;

namespace Chat.UnitTests.Infrastructure;

/// <summary>
/// A fact of a test suite shared by several store classes: it runs like [Fact], except in a class of the "Postgres"
/// collection, where it is skipped like [PostgresFact]. The class is only known at discovery, hence the discoverer.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Chat.UnitTests.Infrastructure.StoreFactDiscoverer", "UnitTests")]
public sealed class StoreFactAttribute : FactAttribute;
