using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chat.UnitTests.Storage;

public sealed class StoreLifecycleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly StoreOptions WithRetention = new() { RetentionMaxRows = 1, RetentionInterval = Interval };

    private static Task Migrated(CancellationToken _) => Task.CompletedTask;

    private static ValueTask Closed() => ValueTask.CompletedTask;

    [Fact]
    public async Task Retention_starts_at_initialise_and_runs_every_interval()
    {
        var passes = 0;
        var lifecycle = Create(WithRetention, _ => Task.FromResult((long)Interlocked.Increment(ref passes)));
        Assert.False(lifecycle.RetentionRunning);

        await lifecycle.InitializeAsync(Migrated, CancellationToken.None);

        Assert.True(lifecycle.RetentionRunning);
        await WaitForAsync(() => Volatile.Read(ref passes) >= 3);
        Assert.True(await lifecycle.DisposeAsync(Closed));
        Assert.False(lifecycle.RetentionRunning);
    }

    [Fact]
    public async Task Retention_off_starts_no_schedule()
    {
        var passes = 0;
        var lifecycle = Create(new StoreOptions { RetentionInterval = Interval }, _ => Task.FromResult((long)Interlocked.Increment(ref passes)));

        await lifecycle.InitializeAsync(Migrated, CancellationToken.None);

        Assert.False(lifecycle.RetentionRunning);
        await lifecycle.DisposeAsync(Closed);
        Assert.Equal(0, Volatile.Read(ref passes));
    }

    [Fact]
    public async Task Dispose_during_a_retention_pass_cancels_the_pass_and_waits_for_its_end()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = 0;
        var lifecycle = Create(WithRetention, async token =>
        {
            try
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
                return 0;
            }
            finally
            {
                Interlocked.Increment(ref ended);
            }
        });
        await lifecycle.InitializeAsync(Migrated, CancellationToken.None);
        await started.Task.WaitAsync(Deadline);

        Assert.True(await lifecycle.DisposeAsync(Closed).AsTask().WaitAsync(Deadline));

        Assert.Equal(1, Volatile.Read(ref ended));
        Assert.False(lifecycle.RetentionRunning);
    }

    [Fact]
    public async Task Concurrent_initialisations_migrate_one_at_a_time_and_start_one_schedule()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inside = 0;
        var overlaps = 0;
        var migrations = 0;
        var prunesAfterDispose = 0;
        var disposed = false;
        var lifecycle = Create(WithRetention, _ =>
        {
            if (Volatile.Read(ref disposed)) Interlocked.Increment(ref prunesAfterDispose);
            return Task.FromResult(0L);
        });

        async Task Migrate(CancellationToken token)
        {
            if (Interlocked.Increment(ref inside) > 1) Interlocked.Increment(ref overlaps);
            Interlocked.Increment(ref migrations);
            await release.Task.WaitAsync(token);
            Interlocked.Decrement(ref inside);
        }

        var initialisations = Enumerable.Range(0, 8).Select(_ => lifecycle.InitializeAsync(Migrate, CancellationToken.None)).ToArray();
        Assert.Equal(1, Volatile.Read(ref migrations));
        release.SetResult();
        await Task.WhenAll(initialisations).WaitAsync(Deadline);

        Assert.Equal(8, Volatile.Read(ref migrations));
        Assert.Equal(0, Volatile.Read(ref overlaps));
        Assert.True(lifecycle.RetentionRunning);

        // A second schedule would have no owner left to stop it: it would go on pruning after the dispose.
        Assert.True(await lifecycle.DisposeAsync(Closed));
        Volatile.Write(ref disposed, true);
        await Task.Delay(Interval * 20);
        Assert.Equal(0, Volatile.Read(ref prunesAfterDispose));
    }

    [Fact]
    public async Task A_dispose_racing_an_initialise_wins_and_no_schedule_starts_after_it()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lifecycle = Create(WithRetention, _ => Task.FromResult(0L));
        var initialising = lifecycle.InitializeAsync(
            async _ =>
            {
                entered.SetResult();
                await release.Task;
            },
            CancellationToken.None);
        await entered.Task.WaitAsync(Deadline);

        Assert.True(await lifecycle.DisposeAsync(Closed).AsTask().WaitAsync(Deadline));
        release.SetResult();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => initialising.WaitAsync(Deadline));
        Assert.False(lifecycle.RetentionRunning);
    }

    [Fact]
    public async Task Dispose_waits_for_the_append_in_flight_and_closes_the_writers_once()
    {
        var closes = 0;
        var lifecycle = Create(new StoreOptions(), _ => Task.FromResult(0L), writeSlots: 2);
        ValueTask CloseWriters()
        {
            Interlocked.Increment(ref closes);
            return ValueTask.CompletedTask;
        }

        var lease = await lifecycle.EnterWriteAsync(1, CancellationToken.None);
        var disposing = lifecycle.DisposeAsync(CloseWriters).AsTask();
        Assert.False(disposing.IsCompleted);
        Assert.False(lifecycle.IsDisposed);
        Assert.Equal(0, Volatile.Read(ref closes));

        lease.Dispose();

        Assert.True(await disposing.WaitAsync(Deadline));
        Assert.True(lifecycle.IsDisposed);
        Assert.False(await lifecycle.DisposeAsync(CloseWriters));
        Assert.Equal(1, Volatile.Read(ref closes));
    }

    [Fact]
    public async Task Every_call_after_dispose_throws_ObjectDisposedException_naming_the_store()
    {
        var owner = new object();
        var lifecycle = new StoreLifecycle(owner, new StoreOptions(), _ => Task.FromResult(0L), NullLogger.Instance, "test", 1);
        await lifecycle.DisposeAsync(Closed);

        var thrown = Assert.Throws<ObjectDisposedException>(lifecycle.ThrowIfDisposed);
        Assert.Equal(typeof(object).FullName, thrown.ObjectName);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await lifecycle.EnterWriteAsync(0, CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => lifecycle.InitializeAsync(Migrated, CancellationToken.None));
    }

    [Fact]
    public async Task An_append_queued_behind_the_dispose_is_refused()
    {
        var lifecycle = Create(new StoreOptions(), _ => Task.FromResult(0L));
        var first = await lifecycle.EnterWriteAsync(0, CancellationToken.None);
        var disposing = lifecycle.DisposeAsync(Closed).AsTask();
        var queued = lifecycle.EnterWriteAsync(0, CancellationToken.None).AsTask();

        first.Dispose();

        Assert.True(await disposing.WaitAsync(Deadline));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => (await queued.WaitAsync(Deadline)).Dispose());
    }

    private static StoreLifecycle Create(StoreOptions options, Func<CancellationToken, Task<long>> prune, int writeSlots = 1) =>
        new(new object(), options, prune, NullLogger.Instance, "test", writeSlots);

    private static Task WaitForAsync(Func<bool> condition) => Until.TrueAsync(condition, Deadline, "the retention schedule");
}
