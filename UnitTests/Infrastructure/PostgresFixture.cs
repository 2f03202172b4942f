using Chat.LoadTests.Infrastructure;
using Xunit;

namespace Chat.UnitTests.Infrastructure;

/// <summary>
/// The cluster shared by the "Postgres" collection. Each test class creates its own databases in it; a test that stops
/// or restarts a server starts a cluster of its own instead.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    internal PostgresCluster Cluster =>
        _cluster ?? throw new InvalidOperationException(PostgresRequirement.SkipReason ?? "The cluster is not started.");

    public async Task InitializeAsync()
    {
        // Without binaries (and outside CI) every test here is skipped; the fixture must not fail the collection.
        if (PostgresRequirement.SkipReason is null)
        {
            _cluster = await PostgresCluster.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
