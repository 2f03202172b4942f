using Chat.LoadTests.Infrastructure;
using Chat.UnitTests.Infrastructure;

namespace Chat.UnitTests.Faults;

/// <summary>
/// A PostgreSQL cluster for one test class that stops and restarts it (the shared "Postgres" cluster must stay up).
/// Not started when PostgreSQL tests are skipped.
/// </summary>
public sealed class OwnPostgresCluster : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    internal PostgresCluster Cluster =>
        _cluster ?? throw new InvalidOperationException(PostgresRequirement.SkipReason ?? "The cluster is not started.");

    public async Task InitializeAsync()
    {
        if (PostgresRequirement.SkipReason is null) _cluster = await PostgresCluster.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
