using System.Diagnostics;

namespace Chat.LoadTests.Measurement;

/// <summary>
/// Samples one server process's resources once a second (<see cref="ProcessResources"/>, and the managed heap and open
/// connections from its /metrics), and marks window boundaries on the same clock, so that a scenario can say where
/// each cycle of its load began.
/// </summary>
internal sealed class ResourceSampler(int processId, Uri baseUri)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private readonly List<ResourceSample> _samples = [];
    private readonly List<double> _windows = [];

    public IReadOnlyList<ResourceSample> Samples
    {
        get
        {
            lock (_lock) return [.. _samples];
        }
    }

    /// <summary>Start times of the windows marked so far (seconds on the sampler's clock).</summary>
    public IReadOnlyList<double> Windows
    {
        get
        {
            lock (_lock) return [.. _windows];
        }
    }

    public double ElapsedSeconds => _clock.Elapsed.TotalSeconds;

    /// <summary>Starts a window now; the last mark closes the last window.</summary>
    public void MarkWindow()
    {
        lock (_lock) _windows.Add(ElapsedSeconds);
    }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                await SampleAsync(stop);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private async Task SampleAsync(CancellationToken stop)
    {
        var at = ElapsedSeconds;
        if (ProcessResources.Read(processId) is not { } process) return;
        // During a connection flood the server is at its cap and may answer /metrics with 503: that second has no heap figure.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(Interval);
        IReadOnlyDictionary<string, double>? metrics;
        try
        {
            metrics = await MetricsScraper.ScrapeAsync(baseUri, timeout.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            metrics = null;
        }

        var heap = MetricsScraper.Counter(metrics, "process_managed_heap_bytes");
        var managed = MetricsScraper.Counter(metrics, "process_managed_memory_bytes");
        var connections = MetricsScraper.Counter(metrics, "chat_connections_open");
        lock (_lock) _samples.Add(new ResourceSample(Math.Round(at, 2), process.RssBytes, process.OpenFiles, process.Threads, (long?)heap, (long?)managed, (long?)connections));
    }
}
