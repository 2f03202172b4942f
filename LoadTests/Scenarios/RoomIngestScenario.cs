using System.Diagnostics;
using System.Text;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;
using Chat.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// What per-room id counters buy a cluster: two nodes' stores (two <see cref="PostgresMessageStore"/> instances, each
/// with its own connections and instance id, as two server processes have) commit group commits on one PostgreSQL as
/// the persist stage does: each round of a node stores one batch per room, the rooms' batches at once. First one room
/// (both nodes queue on its counter row), then <c>--rooms</c> rooms written by both nodes. Each batch holds
/// <c>--window</c> rows (default 256) in both rounds, so a transaction costs the same and the difference is the
/// counter lock. Rows per second and the commit latency of each append.
/// </summary>
internal sealed class RoomIngestScenario : Scenario
{
    private const int Nodes = 2;
    private const int DefaultBatchRows = 256;

    public override string Name => "room-ingest";

    public override string MainStep => "commit, many rooms";

    public override ScenarioNeeds Needs(RunOptions options) => new(Nodes: 0, Postgres: true);

    public override async Task RunAsync(ScenarioContext context)
    {
        var database = context.Deployment.Postgres ?? throw new InvalidOperationException("room-ingest needs PostgreSQL");
        var rooms = context.Options.Rooms ?? 8;
        var duration = context.Options.Duration ?? TimeSpan.FromSeconds(10);
        var warmup = context.Options.Warmup ?? DefaultWarmup;
        var batchRows = context.Options.Window ?? DefaultBatchRows;
        var comment = Encoding.UTF8.GetBytes(new string('x', context.Options.MessageSize ?? 64));
        context.Parameter("nodes", Nodes);
        context.Parameter("rows per batch", batchRows);
        context.Parameter("rooms (second round)", rooms);
        context.Parameter("comment bytes", comment.Length);
        context.Parameter("duration s per round", duration.TotalSeconds);

        var stores = new PostgresMessageStore[Nodes];
        for (var i = 0; i < Nodes; i++)
        {
            stores[i] = new PostgresMessageStore(database, new StoreOptions { InstanceId = $"ingest{i}" }, NullLogger<PostgresMessageStore>.Instance);
            await stores[i].InitializeAsync(context.Cancellation);
        }
        try
        {
            await RoundAsync(stores, 1, batchRows, comment, warmup, null, context.Cancellation);
            var one = context.Step("commit, one room");
            var oneRows = await RoundAsync(stores, 1, batchRows, comment, duration, one, context.Cancellation);
            await RoundAsync(stores, rooms, batchRows, comment, warmup, null, context.Cancellation);
            var many = context.Step(MainStep);
            var manyRows = await RoundAsync(stores, rooms, batchRows, comment, duration, many, context.Cancellation);

            var oneRate = oneRows / duration.TotalSeconds;
            var manyRate = manyRows / duration.TotalSeconds;
            var oneLatency = one.LatencySoFar();
            var manyLatency = many.LatencySoFar();
            context.Figure("1 room rows/s", Math.Round(oneRate), "rows/s");
            context.Figure($"{rooms} rooms rows/s", Math.Round(manyRate), "rows/s");
            context.Figure($"{rooms} rooms / 1 room rows/s", Math.Round(manyRate / Math.Max(oneRate, 1), 3), "ratio");
            context.Figure("1 room commit p50", oneLatency.P50, "ms");
            context.Figure("1 room commit p99", oneLatency.P99, "ms");
            context.Figure($"{rooms} rooms commit p50", manyLatency.P50, "ms");
            context.Figure($"{rooms} rooms commit p99", manyLatency.P99, "ms");
            context.Check("rows were committed in both rounds", oneRows > 0 && manyRows > 0, $"{oneRows} and {manyRows} rows");
        }
        finally
        {
            foreach (var store in stores) await store.DisposeAsync();
        }
    }

    /// <summary>Both nodes commit group after group for <paramref name="length"/>; returns the rows committed.</summary>
    private static async Task<long> RoundAsync(
        PostgresMessageStore[] stores, int rooms, int rowsPerRoom, byte[] comment, TimeSpan length, StepStats? step, CancellationToken cancellation)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var username = Encoding.UTF8.GetBytes("ingest");
        var committed = await Task.WhenAll(stores.Select(async store =>
        {
            var rows = new NewMessage[rowsPerRoom];
            long total = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var now = DateTime.UtcNow;
                for (var i = 0; i < rows.Length; i++) rows[i] = new NewMessage(username, comment, now);
                await Task.WhenAll(Enumerable.Range(0, rooms).Select(async room =>
                {
                    var started = Stopwatch.GetTimestamp();
                    await store.AppendAsync(Guid.NewGuid(), $"room{room}", rows, cancellation);
                    step?.Ok(Connector.Micros(started));
                }));
                total += (long)rowsPerRoom * rooms;
            }
            return total;
        }));
        return committed.Sum();
    }
}
