using Microsoft.Extensions.Logging;

namespace Chat.Storage;

/// <summary>
/// Runs a store's prune step every interval until disposed. A failing step is logged and tried again at the next tick;
/// it never stops the loop.
/// </summary>
internal sealed class RetentionLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RetentionLoop(TimeSpan interval, Func<CancellationToken, Task<long>> prune, ILogger logger, string store)
    {
        _loop = RunAsync(interval, prune, logger, store, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private static async Task RunAsync(
        TimeSpan interval, Func<CancellationToken, Task<long>> prune, ILogger logger, string store, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    var pruned = await prune(stop);
                    if (pruned > 0)
                    {
                        StorageLog.RetentionPruned(logger, store, pruned);
                    }
                }
                catch (Exception e)
                {
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }

                    StorageLog.RetentionFailed(logger, e, store, interval);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: the loop ends.
        }
    }
}
