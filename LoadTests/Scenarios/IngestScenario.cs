using System.Globalization;
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
    // Two senders with 2,048 in flight each keep the persist stage's batches full while every message goes to only
    // two receivers: more senders would measure fan-out, a smaller window the round trip (see the README).
    private const int DefaultSenders = 2;
    private const int DefaultWindow = 2048;
    // The ceiling's batch when the target reports none of its own (the baseline).
    private const int DefaultCopyBatch = 256;
    private const int MaxComparisonRows = 200_000;
    private const string OursTable = "chat_messages";
    // The Kestrel baseline's table (KestrelBaseline/PostgresChatStore.cs); it keeps its own so both can share a database.
    private const string KestrelTable = "baseline_chat_messages";

    public override string Name => "ingest";

    public override string MainStep => "ack";

    // The server's per-connection limit of messages in flight (64 by default) must hold a whole window, or the
    // server pauses the sender's reads and the window never fills.
    public override ScenarioNeeds Needs(RunOptions options) => new(Postgres: true)
    {
        // Each receiver takes every sender's messages at up to ~200,000 frames/s; a GC pause of the load client's
        // would put it past the default 1 MiB high-water mark and get it dropped as a slow consumer.
        Settings = new Dictionary<string, string>
        {
            ["CHAT_MAX_PENDING_MESSAGES"] = Math.Max(2, options.Window ?? DefaultWindow).ToString(CultureInfo.InvariantCulture),
            ["CHAT_HIGH_WATER_MARK_BYTES"] = (16 << 20).ToString(CultureInfo.InvariantCulture),
        },
    };

    public override async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var senderCount = options.Senders ?? options.Clients ?? DefaultSenders;
        var duration = options.Duration ?? TimeSpan.FromSeconds(10);
        var commentLength = options.MessageSize ?? 64;
        var windowSize = options.Window ?? DefaultWindow;
        var database = context.Deployment.Postgres ?? throw new TargetUnavailableException("ingest needs the PostgreSQL database the server writes to");
        context.Parameter("senders", senderCount);
        context.Parameter("window per sender", windowSize);
        context.Parameter("comment bytes", commentLength);
        context.Parameter("duration s", duration.TotalSeconds);
        var table = options.Target == TargetKind.Kestrel ? KestrelTable : OursTable;
        var rowsBefore = await IngestComparisons.CountAsync(database, table, context.Cancellation);

        var warmup = options.Warmup ?? DefaultWarmup;
        context.Parameter("warm-up s", warmup.TotalSeconds);

        var node = context.Deployment.Nodes[0];
        var connect = context.Step("connect");
        var send = context.Step("send");
        var ack = context.Step(MainStep);
        var others = context.Step("deliver others");
        var phase = new Phase(warmup > TimeSpan.Zero ? context.Step("warm-up ack") : ack, warmup > TimeSpan.Zero ? context.Step("warm-up deliver others") : others);
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
                if (tag.Sender != own) return phase.Others;
                Interlocked.Increment(ref acked[own]);
                return phase.Ack;
            }, counter);
            receivers.Add(receiver);
            loops.Add(receiver.RunAsync(stop.Token));
        }

        var senders = receivers.Select((r, s) => new PacedSender(r.Socket, context.RunId, s, commentLength, send)).ToList();
        Task SendAsync(TimeSpan length) => Task.WhenAll(senders.Select(s => s.RunAsync(double.PositiveInfinity, length, context.Cancellation,
            () => s.Sent - Interlocked.Read(ref acked[s.SenderId]) < windowSize)));
        if (warmup > TimeSpan.Zero)
        {
            await SendAsync(warmup);
            await WaitAsync(() => acked.Sum() >= senders.Sum(s => s.Sent), context.Cancellation);
            phase.Ack = ack;
            phase.Others = others;
        }

        // The measured window starts with everything sent so far stored and acknowledged.
        var rowsAtWindow = await IngestComparisons.CountAsync(database, table, context.Cancellation);
        var sentAtWindow = senders.Sum(s => s.Sent);
        var ackedAtWindow = acked.Sum();
        var metricsBefore = await MetricsScraper.ScrapeAsync(node.BaseUri, context.Cancellation);
        var window = Stopwatch.StartNew();
        var cpu = CpuWindow.Start(() => context.ServerSample().Cpu, context.DatabaseCpu);
        await SendAsync(duration);
        var sentTotal = senders.Sum(s => s.Sent);
        await WaitAsync(() => acked.Sum() >= sentTotal, context.Cancellation);
        var seconds = window.Elapsed.TotalSeconds;
        var spent = cpu.Stop();
        var metricsAfter = await MetricsScraper.ScrapeAsync(node.BaseUri, context.Cancellation);
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        foreach (var receiver in receivers)
        {
            await receiver.Socket.CloseAsync(context.Cancellation);
            await receiver.Socket.DisposeAsync();
            context.ClientGone();
        }

        var rowsTotal = await IngestComparisons.CountAsync(database, table, context.Cancellation) - rowsBefore;
        var ackedTotal = acked.Sum();
        var sent = sentTotal - sentAtWindow;
        var stored = rowsTotal + rowsBefore - rowsAtWindow;
        var serverRate = stored / seconds;
        context.Figure("messages sent", sent, "msg");
        context.Figure("messages acknowledged (broadcast back)", ackedTotal - ackedAtWindow, "msg");
        context.Figure("rows stored", stored, "rows");
        context.Figure("server ingest", Math.Round(serverRate), "rows/s");
        var meanBatch = ReportPersistence(context, metricsBefore, metricsAfter);
        if (stored > 0)
        {
            if (context.ServerMeasurable) context.Figure("server CPU per stored row", PerRow(spent.Server, stored), "µs");
            context.Figure("client CPU per stored row", PerRow(spent.Client, stored), "µs");
            if (spent.Database is { } db) context.Figure("PostgreSQL CPU per stored row", PerRow(db, stored), "µs");
        }

        var closed = receivers.Count(r => r.ClosedByServer);
        if (MetricsScraper.Counter(metricsAfter, "chat_slow_consumers_dropped_total") is { } dropped)
        {
            context.Figure("senders dropped as slow consumers (server /metrics)", dropped, "clients");
        }

        context.Check("no sender was closed by the server", closed == 0, $"{closed} of {receivers.Count} closed; their unacknowledged messages are not counted as lost");
        // Over the whole run, warm-up included.
        context.Check("every acknowledged message is a row", rowsTotal >= ackedTotal, $"{rowsTotal} rows for {ackedTotal} acknowledged");
        context.Check("nothing stored twice or invented", rowsTotal <= sentTotal, $"{rowsTotal} rows for {sentTotal} sent");

        // The ceiling writes in the batches the server formed, so that both pay the same commits per row.
        var copyBatch = meanBatch is > 0 ? (int)Math.Round(meanBatch.Value) : DefaultCopyBatch;
        var rows = (int)Math.Clamp(stored, copyBatch, MaxComparisonRows);
        var comment = new string('x', commentLength);
        context.Parameter("raw COPY rows per transaction", copyBatch);
        var copy = await MeasuredAsync(context, "raw COPY", () => IngestComparisons.CopyCeilingAsync(database, rows, copyBatch, comment, context.Step("raw COPY"), context.Cancellation));
        var alone = await MeasuredAsync(context, "store alone", () => IngestComparisons.StoreAloneAsync(database, rows, copyBatch, comment, context.Step("store alone"), context.Cancellation));
        var insert = await MeasuredAsync(context, "INSERT per message", () => IngestComparisons.InsertBaselineAsync(database, rows, comment, duration, context.Step("INSERT per row"), context.Cancellation));
        var (copyRate, storeRate, insertRate) = (copy.Rate, alone.Rate, insert.Rate);
        context.Figure("raw binary COPY (ceiling)", Math.Round(copyRate), "rows/s");
        context.Figure("server's store alone (same batches)", Math.Round(storeRate), "rows/s");
        context.Figure("autocommit INSERT per message", Math.Round(insertRate), "rows/s");
        if (copyRate > 0)
        {
            context.Figure("server / COPY ceiling", Math.Round(serverRate / copyRate, 3), "ratio");
            context.Figure("store alone / COPY ceiling", Math.Round(storeRate / copyRate, 3), "ratio");
            context.Figure("INSERT per message / COPY ceiling", Math.Round(insertRate / copyRate, 3), "ratio");
        }

        if (insertRate > 0) context.Figure("server / INSERT per message", Math.Round(serverRate / insertRate, 1), "ratio");
    }

    /// <summary>
    /// The server's own batch-size and commit-latency histograms over the run, and its mean batch; null when it has
    /// none (the baseline).
    /// </summary>
    private static double? ReportPersistence(ScenarioContext context, IReadOnlyDictionary<string, double>? before, IReadOnlyDictionary<string, double>? after)
    {
        var batches = MetricsHistogram.From(after, "chat_persist_batch_size")?.Since(MetricsHistogram.From(before, "chat_persist_batch_size"));
        var commits = MetricsHistogram.From(after, "chat_persist_commit_seconds")?.Since(MetricsHistogram.From(before, "chat_persist_commit_seconds"));
        if (batches is null || commits is null || batches.Count == 0) return null;
        context.Figure("batches committed", batches.Count, "batches");
        context.Figure("batch size mean", Math.Round(batches.Mean, 1), "rows");
        context.Figure("batch size p50 (bucket)", batches.Quantile(0.5), "rows");
        context.Figure("batch size p99 (bucket)", batches.Quantile(0.99), "rows");
        context.Figure("commit mean", Math.Round(commits.Mean * 1000, 2), "ms");
        context.Figure("commit p50 (bucket)", commits.Quantile(0.5) * 1000, "ms");
        context.Figure("commit p99 (bucket)", commits.Quantile(0.99) * 1000, "ms");
        foreach (var (upper, count) in batches.Counts()) context.Figure($"batches of at most {upper} rows", count, "batches");
        foreach (var (upper, count) in commits.Counts()) context.Figure($"commits within {upper * 1000} ms", count, "batches");
        return batches.Mean;
    }

    private static double PerRow(TimeSpan cpu, long rows) => Math.Round(cpu.TotalMicroseconds / rows, 2);

    /// <summary>Runs one comparison loop and reports the CPU it cost this runner and PostgreSQL per row.</summary>
    private static async Task<IngestComparisons.LoopResult> MeasuredAsync(ScenarioContext context, string label, Func<Task<IngestComparisons.LoopResult>> loop)
    {
        var cpu = CpuWindow.Start(() => TimeSpan.Zero, context.DatabaseCpu);
        var result = await loop();
        var spent = cpu.Stop();
        if (result.Rows > 0)
        {
            context.Figure($"{label}: loop CPU per row", PerRow(spent.Client, result.Rows), "µs");
            if (spent.Database is { } db) context.Figure($"{label}: PostgreSQL CPU per row", PerRow(db, result.Rows), "µs");
        }

        return result;
    }

    private static async Task WaitAsync(Func<bool> condition, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20, cancellation);
    }

    /// <summary>Where deliveries are recorded: the warm-up steps first, then the measured ones.</summary>
    private sealed class Phase(StepStats ack, StepStats others)
    {
        private volatile StepStats _ack = ack;
        private volatile StepStats _others = others;

        public StepStats Ack
        {
            get => _ack;
            set => _ack = value;
        }

        public StepStats Others
        {
            get => _others;
            set => _others = value;
        }
    }
}
