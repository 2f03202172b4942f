using Chat.UnitTests.Infrastructure;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>Issue 19 item 3 on PostgreSQL, where the flood used to turn /healthz to 503: history reads are asynchronous there.</summary>
[Collection("Postgres")]
public sealed class PostgresPipelinedHttpTests(PostgresFixture fixture, ITestOutputHelper output)
{
    [PostgresFact]
    public async Task A_pipelined_history_flood_leaves_an_honest_pair_latency_and_healthz_alone_on_postgres() =>
        await PipelinedHttpTests.HistoryFloodAsync(await fixture.Cluster.CreateDatabaseAsync("flood"), output);
}
