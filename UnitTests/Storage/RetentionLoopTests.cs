using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chat.UnitTests.Storage;

public sealed class RetentionLoopTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task Runs_the_prune_step_every_interval_and_stops_when_disposed()
    {
        var calls = 0;
        var loop = new RetentionLoop(Interval, _ => Task.FromResult((long)Interlocked.Increment(ref calls)), NullLogger.Instance, "test");

        await WaitForAsync(() => Volatile.Read(ref calls) >= 3);
        await loop.DisposeAsync();
        var afterDispose = Volatile.Read(ref calls);
        await Task.Delay(Interval * 5);

        Assert.Equal(afterDispose, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task A_failing_step_does_not_stop_the_loop()
    {
        var calls = 0;
        var loop = new RetentionLoop(
            Interval,
            _ => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("first try fails") : Task.FromResult(0L),
            NullLogger.Instance,
            "test");

        await WaitForAsync(() => Volatile.Read(ref calls) >= 2);

        await loop.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_cancels_a_running_step_and_returns()
    {
        var started = new TaskCompletionSource();
        var loop = new RetentionLoop(
            Interval,
            async token =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
                return 0;
            },
            NullLogger.Instance,
            "test");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await loop.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Task WaitForAsync(Func<bool> condition) => Until.TrueAsync(condition, TimeSpan.FromSeconds(10), "the retention loop");
}
