using System.Diagnostics;
using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;
using Npgsql;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// Senders as fast as the server accepts (each keeps a window of unacknowledged messages: sent but not yet seen come
/// back), then the rows counted in PostgreSQL. In the same run, on the same database, the same number of rows goes in
/// through a bare Npgsql binary COPY loop (the ceiling) and through one autocommit INSERT per message.
/// </summary>
internal sealed class IngestScenario : Scenario
{
    private const int Window = 64;
    private const int CopyBatch = 256;
    private const int MaxComparisonRows = 200_000;

    public override string Name => "ingest";

    public override string MainStep => "ack";

    public override ScenarioNeeds Needs(RunOptions options) => new(Postgres: true);

    public override async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var senderCount = options.Senders ?? options.Clients ?? 8;
        var duration = options.Duration ?? TimeSpan.FromSeconds(10);
        var commentLength = options.MessageSize ?? 64;
        var database = context.Deployment.Postgres ?? throw new TargetUnavailableException("ingest needs the PostgreSQL database the server writes to");
        context.Parameter("senders", senderCount);
        context.Parameter("window per sender", Window);
        context.Parameter("comment bytes", commentLength);
        context.Parameter("duration s", duration.TotalSeconds);
        var rowsBefore = await CountAsync(database, "chat_messages", context.Cancellation);

        var node = context.Deployment.Nodes[0];
        var connect = context.Step("connect");
        var send = context.Step("send");
        var ack = context.Step(MainStep);
        var others = context.Step("deliver others");
        var acked = new long[senderCount];
        var counter = new DeliveryCounter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        var loops = new List<Task>();
        var receivers = new List<DeliveryReceiver>();
        for (var s = 0; s < senderCount; s++)
        {
            var own = s;
            var socket = await Connector.ConnectAsync(context, node, $"?name=ingest{s}", connect)
                ?? throw new TargetUnavailableException($"cannot open a WebSocket to {node.BaseUri}");
            var receiver = new DeliveryReceiver(socket, context.RunId, tag =>
            {
                if (tag.Sender != own) return others;
                Interlocked.Increment(ref acked[own]);
                return ack;
            }, counter);
            receivers.Add(receiver);
            loops.Add(receiver.RunAsync(stop.Token));
        }

        var senders = receivers.Select((r, s) => new PacedSender(r.Socket, context.RunId, s, commentLength, send)).ToList();
        var window = Stopwatch.StartNew();
        await Task.WhenAll(senders.Select(s => s.RunAsync(double.PositiveInfinity, duration, context.Cancellation,
            () => s.Sent - Interlocked.Read(ref acked[s.SenderId]) < Window)));
        var sent = senders.Sum(s => s.Sent);
        await WaitAsync(() => acked.Sum() >= sent, context.Cancellation);
        var seconds = window.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        foreach (var receiver in receivers)
        {
            await receiver.Socket.CloseAsync(context.Cancellation);
            await receiver.Socket.DisposeAsync();
            context.ClientGone();
        }

        var stored = await CountAsync(database, "chat_messages", context.Cancellation) - rowsBefore;
        var acknowledged = acked.Sum();
        var serverRate = stored / seconds;
        context.Figure("messages sent", sent, "msg");
        context.Figure("messages acknowledged (broadcast back)", acknowledged, "msg");
        context.Figure("rows stored", stored, "rows");
        context.Figure("server ingest", Math.Round(serverRate), "rows/s");
        context.Check("every acknowledged message is a row", stored >= acknowledged, $"{stored} rows for {acknowledged} acknowledged");
        context.Check("nothing stored twice or invented", stored <= sent, $"{stored} rows for {sent} sent");

        var rows = (int)Math.Clamp(stored, CopyBatch, MaxComparisonRows);
        var comment = new string('x', commentLength);
        var copyRate = await CopyCeilingAsync(database, rows, comment, context.Step("raw COPY"), context.Cancellation);
        var insertRate = await InsertBaselineAsync(database, rows, comment, duration, context.Step("INSERT per row"), context.Cancellation);
        context.Figure("raw binary COPY (ceiling)", Math.Round(copyRate), "rows/s");
        context.Figure("autocommit INSERT per message", Math.Round(insertRate), "rows/s");
        if (copyRate > 0)
        {
            context.Figure("server / COPY ceiling", Math.Round(serverRate / copyRate, 3), "ratio");
            context.Figure("INSERT per message / COPY ceiling", Math.Round(insertRate / copyRate, 3), "ratio");
        }
    }

    private static async Task WaitAsync(Func<bool> condition, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20, cancellation);
    }

    private static async Task<long> CountAsync(string database, string table, CancellationToken cancellation)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    private static async Task<NpgsqlConnection> TableAsync(string database, string table, CancellationToken cancellation)
    {
        var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand(
            $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id bigint PRIMARY KEY, username text NOT NULL, comment text NOT NULL, created_at timestamptz NOT NULL)",
            connection);
        await command.ExecuteNonQueryAsync(cancellation);
        return connection;
    }

    /// <summary>The same rows in batches of <see cref="CopyBatch"/>, one binary COPY (one transaction) each; rows/s.</summary>
    private static async Task<double> CopyCeilingAsync(string database, int rows, string comment, StepStats step, CancellationToken cancellation)
    {
        await using var connection = await TableAsync(database, "ingest_copy_ceiling", cancellation);
        var clock = Stopwatch.StartNew();
        for (var first = 0; first < rows; first += CopyBatch)
        {
            var started = Stopwatch.GetTimestamp();
            await using (var import = await connection.BeginBinaryImportAsync(
                "COPY ingest_copy_ceiling (id, username, comment, created_at) FROM STDIN (FORMAT BINARY)", cancellation))
            {
                for (var id = first; id < Math.Min(rows, first + CopyBatch); id++)
                {
                    await import.StartRowAsync(cancellation);
                    await import.WriteAsync((long)id, NpgsqlTypes.NpgsqlDbType.Bigint, cancellation);
                    await import.WriteAsync("ingest", NpgsqlTypes.NpgsqlDbType.Text, cancellation);
                    await import.WriteAsync(comment, NpgsqlTypes.NpgsqlDbType.Text, cancellation);
                    await import.WriteAsync(DateTime.UtcNow, NpgsqlTypes.NpgsqlDbType.TimestampTz, cancellation);
                }

                await import.CompleteAsync(cancellation);
            }

            step.Ok(Connector.Micros(started));
        }

        return rows / clock.Elapsed.TotalSeconds;
    }

    /// <summary>One prepared autocommit INSERT per row, for at most <paramref name="limit"/>; rows/s.</summary>
    private static async Task<double> InsertBaselineAsync(string database, int rows, string comment, TimeSpan limit, StepStats step, CancellationToken cancellation)
    {
        await using var connection = await TableAsync(database, "ingest_insert_baseline", cancellation);
        await using var command = new NpgsqlCommand("INSERT INTO ingest_insert_baseline (id, username, comment, created_at) VALUES ($1, $2, $3, $4)", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, TypedValue = "ingest" });
        command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, TypedValue = comment });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        await command.PrepareAsync(cancellation);
        var clock = Stopwatch.StartNew();
        var done = 0;
        while (done < rows && clock.Elapsed < limit)
        {
            ((NpgsqlParameter<long>)command.Parameters[0]).TypedValue = done;
            ((NpgsqlParameter<DateTime>)command.Parameters[3]).TypedValue = DateTime.UtcNow;
            var started = Stopwatch.GetTimestamp();
            await command.ExecuteNonQueryAsync(cancellation);
            step.Ok(Connector.Micros(started));
            done++;
        }

        return done / clock.Elapsed.TotalSeconds;
    }
}
