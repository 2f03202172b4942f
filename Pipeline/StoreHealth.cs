using System.Diagnostics;
using Chat.Storage;

namespace Chat.Pipeline;

/// <summary>
/// Whether the server accepts work and its store answers, for /healthz: false while the last batch failed, while
/// shutting down, or when a ping (at most one a second, two seconds to answer) fails.
/// </summary>
internal sealed class StoreHealth(IMessageStore store)
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private static readonly long FreshFor = Stopwatch.Frequency;
    private readonly SemaphoreSlim _pinging = new(1, 1);
    private volatile bool _persistFailing;
    private volatile bool _stopping;
    private volatile bool _lastPing = true;
    private long _lastPingAt = long.MinValue / 2;

    public bool PersistFailing => _persistFailing;

    public void PersistFailed() => _persistFailing = true;

    public void PersistSucceeded() => _persistFailing = false;

    public void Stopping() => _stopping = true;

    public async Task<bool> CheckAsync()
    {
        if (_stopping || _persistFailing) return false;
        if (Stopwatch.GetTimestamp() - Volatile.Read(ref _lastPingAt) < FreshFor) return _lastPing;
        await _pinging.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Stopwatch.GetTimestamp() - Volatile.Read(ref _lastPingAt) < FreshFor) return _lastPing;
            using var timeout = new CancellationTokenSource(PingTimeout);
            bool ok;
            try
            {
                ok = await store.PingAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ok = false;
            }
            _lastPing = ok;
            Volatile.Write(ref _lastPingAt, Stopwatch.GetTimestamp());
            return ok && !_persistFailing && !_stopping;
        }
        finally
        {
            _pinging.Release();
        }
    }
}
