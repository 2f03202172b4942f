using Chat.LoadTests.Measurement;

namespace Chat.UnitTests.LoadTests;

public sealed class StepStatsTests
{
    [Fact]
    public void Merged_histograms_hold_every_sample_of_the_parts()
    {
        var low = LatencyHistogram.Create();
        var high = LatencyHistogram.Create();
        for (var i = 1; i <= 900; i++) LatencyHistogram.Record(low, 1000);
        for (var i = 1; i <= 100; i++) LatencyHistogram.Record(high, 50_000);

        var merged = LatencySummary.From(LatencyHistogram.Merge([low, high]));

        Assert.Equal(1000, merged.Count);
        Assert.Equal(1.0, merged.P50, 2);
        Assert.Equal(50.0, merged.P99, 0);
        Assert.Equal(50.0, merged.Max, 0);
    }

    [Fact]
    public void Out_of_range_samples_are_clamped_not_thrown()
    {
        var histogram = LatencyHistogram.Create();
        LatencyHistogram.Record(histogram, -5);
        LatencyHistogram.Record(histogram, long.MaxValue);

        Assert.Equal(2, histogram.TotalCount);
    }

    [Fact]
    public void An_interval_hands_over_its_counts_and_the_total_keeps_them()
    {
        var step = new StepStats("deliver");
        step.Ok(2000, bytesIn: 100);
        step.Ok(4000, bytesIn: 100);
        step.Fail();

        var first = step.TakeInterval(2);
        step.Ok(8000, bytesOut: 10);
        var second = step.TakeInterval(1);
        var total = step.Total(3);

        Assert.Equal((2, 1, 200L), (first.Ok, first.Failed, first.BytesIn));
        Assert.Equal(1.0, first.OkPerSecond);
        Assert.Equal((1, 0, 10L), (second.Ok, second.Failed, second.BytesOut));
        Assert.Equal(8.0, second.Latency.P50, 1);
        Assert.Equal((3, 1, 200L, 10L), (total.Ok, total.Failed, total.BytesIn, total.BytesOut));
        Assert.Equal(3, total.Latency.Count);
        Assert.Equal(8.0, total.Latency.Max, 1);
    }

    [Fact]
    public void Counted_sends_add_to_ok_without_a_latency()
    {
        var step = new StepStats("send");
        step.Count(bytesOut: 64);
        step.Count(bytesOut: 64);

        var interval = step.TakeInterval(1);

        Assert.Equal(2, interval.Ok);
        Assert.Equal(128, interval.BytesOut);
        Assert.Equal(0, interval.Latency.Count);
    }

    [Fact]
    public void Latency_so_far_includes_the_interval_in_progress()
    {
        var step = new StepStats("deliver");
        step.Ok(1000);
        step.TakeInterval(1);
        step.Ok(3000);

        Assert.Equal(2, step.LatencySoFar().Count);
    }

    [Fact]
    public void Proc_stat_cpu_is_utime_plus_stime_even_with_spaces_in_the_name()
    {
        const string stat = "4242 (dotnet (my app)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 12 0 100 0 0";

        Assert.Equal(TimeSpan.FromSeconds(3), ProcessStats.ParseCpu(stat));
    }

    [Fact]
    public void Proc_status_rss_is_read_in_bytes()
    {
        Assert.Equal(2048L * 1024, ProcessStats.ParseRss("Name:\tdotnet\nVmPeak:\t 9999 kB\nVmRSS:\t    2048 kB\nThreads: 3\n"));
    }

    [Fact]
    public void Proc_io_syscw_counts_write_calls()
    {
        Assert.Equal(123456L, ProcessStats.ParseWriteCalls("rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 123456\nread_bytes: 0\n"));
        Assert.Equal(0L, ProcessStats.ParseWriteCalls("rchar: 6976\n"));
    }

    [Fact]
    public void The_process_reads_its_own_cpu_and_memory()
    {
        var sample = ProcessStats.ReadSelf();

        Assert.True(sample.Cpu > TimeSpan.Zero);
        Assert.True(sample.RssBytes > 1024 * 1024);
    }

    [Fact]
    public void Proc_stat_with_reaped_children_adds_cutime_and_cstime_and_the_parent_pid_is_read()
    {
        const string stat = "4242 (postgres: walwriter ) S 17 4242 4242 0 -1 4194560 1000 0 0 0 250 50 30 20 20 0 12 0 100 0 0";

        Assert.Equal(TimeSpan.FromSeconds(3.5), ProcessStats.ParseCpu(stat, withReapedChildren: true));
        Assert.Equal(17, ProcessStats.ParseParent(stat));
    }

    [Fact]
    public void Metrics_parser_reads_unlabelled_samples_labelled_series_under_their_whole_name_and_skips_comments()
    {
        var samples = MetricsScraper.Parse("# HELP x y\n# TYPE x counter\nchat_slow_consumers_dropped_total 3\nchat_stage_queue_depth{stage=\"persist\"} 9\nchat_x_bucket{le=\"+Inf\"} 4\nchat_store_healthy 1\n");

        Assert.Equal(3, samples["chat_slow_consumers_dropped_total"]);
        Assert.Equal(1, samples["chat_store_healthy"]);
        Assert.Equal(9, samples["chat_stage_queue_depth{stage=\"persist\"}"]);
        Assert.Equal(4, samples["chat_x_bucket{le=\"+Inf\"}"]);
        Assert.False(samples.ContainsKey("chat_stage_queue_depth"));
    }

    private const string BatchesBefore = """
        chat_persist_batch_size_bucket{le="1"} 2
        chat_persist_batch_size_bucket{le="64"} 2
        chat_persist_batch_size_bucket{le="1024"} 3
        chat_persist_batch_size_bucket{le="+Inf"} 3
        chat_persist_batch_size_sum 600
        chat_persist_batch_size_count 3
        """;

    private const string BatchesAfter = """
        chat_persist_batch_size_bucket{le="1"} 2
        chat_persist_batch_size_bucket{le="64"} 12
        chat_persist_batch_size_bucket{le="1024"} 102
        chat_persist_batch_size_bucket{le="+Inf"} 103
        chat_persist_batch_size_sum 60600
        chat_persist_batch_size_count 103
        """;

    private static MetricsHistogram BatchesOfTheRun() =>
        MetricsHistogram.From(MetricsScraper.Parse(BatchesAfter), "chat_persist_batch_size")!
            .Since(MetricsHistogram.From(MetricsScraper.Parse(BatchesBefore), "chat_persist_batch_size"));

    [Fact]
    public void A_histogram_over_a_run_is_the_difference_of_two_scrapes()
    {
        var run = BatchesOfTheRun();

        Assert.Equal(100, run.Count);
        Assert.Equal(600, run.Mean);
        Assert.Equal([(64.0, 10L), (1024.0, 89L), (double.PositiveInfinity, 1L)], run.Counts().ToList());
    }

    [Fact]
    public void Histogram_quantiles_are_the_upper_bound_of_their_bucket()
    {
        var run = BatchesOfTheRun();

        Assert.Equal(64, run.Quantile(0.10));
        Assert.Equal(1024, run.Quantile(0.11));
        Assert.Equal(1024, run.Quantile(0.99));
        Assert.Equal(double.PositiveInfinity, run.Quantile(1));
    }

    [Fact]
    public void A_scrape_without_the_histogram_gives_none()
    {
        Assert.Null(MetricsHistogram.From(MetricsScraper.Parse("chat_store_healthy 1\n"), "chat_persist_batch_size"));
        Assert.Null(MetricsHistogram.From(null, "chat_persist_batch_size"));
    }
}
