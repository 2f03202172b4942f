using Chat.Reactor;

namespace Chat.UnitTests.Reactor;

public sealed class LogLimiterTests
{
    /// <summary>A clock that moves only when the test says so.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Interlocked.Read(ref _ticks);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    [Fact]
    public void The_first_burst_occurrences_are_logged_and_the_rest_of_the_period_is_counted()
    {
        var limiter = new LogLimiter(new ManualClock(), burst: 3, period: TimeSpan.FromSeconds(10));

        for (var i = 0; i < 3; i++)
        {
            Assert.True(limiter.TryAcquire(out var suppressed));
            Assert.Equal(0, suppressed);
        }
        for (var i = 0; i < 1000; i++) Assert.False(limiter.TryAcquire(out _));
    }

    [Fact]
    public void The_first_occurrence_of_the_next_period_reports_how_many_were_suppressed()
    {
        var clock = new ManualClock();
        var limiter = new LogLimiter(clock, burst: 2, period: TimeSpan.FromSeconds(10));
        limiter.TryAcquire(out _);
        limiter.TryAcquire(out _);
        for (var i = 0; i < 42; i++) limiter.TryAcquire(out _);

        clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(limiter.TryAcquire(out _));
        clock.Advance(TimeSpan.FromSeconds(0.1));

        Assert.True(limiter.TryAcquire(out var suppressed));
        Assert.Equal(43, suppressed);
        Assert.True(limiter.TryAcquire(out suppressed));
        Assert.Equal(0, suppressed);
        Assert.False(limiter.TryAcquire(out _));
    }

    [Fact]
    public void Without_suppression_nothing_is_reported_as_suppressed()
    {
        var clock = new ManualClock();
        var limiter = new LogLimiter(clock, burst: 1, period: TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire(out var suppressed));
            Assert.Equal(0, suppressed);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void Concurrent_callers_share_one_budget_and_lose_no_count()
    {
        var clock = new ManualClock();
        var limiter = new LogLimiter(clock, burst: 5, period: TimeSpan.FromSeconds(10));
        var logged = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (var i = 0; i < 10_000; i++)
                if (limiter.TryAcquire(out _)) Interlocked.Increment(ref logged);
        });
        Assert.Equal(5, logged);

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(limiter.TryAcquire(out var suppressed));
        Assert.Equal(40_000 - 5, suppressed);
    }

    [Fact]
    public void Nonsensical_budgets_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogLimiter(burst: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogLimiter(period: TimeSpan.Zero));
    }

    [Fact]
    public void The_default_budget_is_five_per_ten_seconds()
    {
        var clock = new ManualClock();
        var limiter = new LogLimiter(clock);
        for (var i = 0; i < 5; i++) Assert.True(limiter.TryAcquire(out _));
        Assert.False(limiter.TryAcquire(out _));
        clock.Advance(TimeSpan.FromSeconds(9.99));
        Assert.False(limiter.TryAcquire(out _));
        clock.Advance(TimeSpan.FromSeconds(0.01));
        Assert.True(limiter.TryAcquire(out var suppressed));
        Assert.Equal(2, suppressed);
    }
}
