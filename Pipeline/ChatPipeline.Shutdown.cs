using System.Diagnostics;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Sessions;

namespace Chat.Pipeline;

public sealed partial class ChatPipeline
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Graceful stop, after the transport stopped accepting: /healthz turns 503, reads stop, every chat message already
    /// received is stored and broadcast, then every client gets close 1001. Returns false when the deadline passed first.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        _health.Stopping();
        foreach (var session in _sessions.All) session.Connection.PauseReading();
        var drained = await WaitAsync(() => IsIdle(), deadline - clock.Elapsed).ConfigureAwait(false);
        // Its clients are told to go: the other nodes stop counting them now, not when the last socket closed.
        _presence?.Leave();
        foreach (var session in _sessions.All)
        {
            if (session.Progress.Upgraded) session.Writer.Close(CloseStatus.GoingAway, "server shutting down");
            else session.Writer.Close();
        }
        await WaitAsync(() => _connectionCount() == 0, deadline - clock.Elapsed).ConfigureAwait(false);
        return drained;
    }

    /// <summary>Waits for the stages to finish once the transport completed the input channel.</summary>
    public Task StopAsync() => StopAsync(Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Waits at most <paramref name="timeout"/> for the stages to finish once the transport completed the input
    /// channel; false when they did not. A failed stage leaves the one before it blocked on a full channel for ever,
    /// so a stopping server gives up on them rather than wait.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var stages = Task.WhenAll([.. _running, _history.StopAsync()]);
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await stages.ConfigureAwait(false);
            return true;
        }
        await stages.WaitAsync(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return stages.IsCompleted;
    }

    /// <summary>No item in any channel and every received chat message stored and broadcast.</summary>
    private bool IsIdle()
    {
        foreach (var stage in _stages)
        {
            if (stage.QueueDepth() != 0) return false;
        }
        return Interlocked.Read(ref _metrics.MessagesReceived) == Interlocked.Read(ref _metrics.MessagesSettled);
    }

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed >= timeout) return false;
            await Task.Delay(DrainPoll).ConfigureAwait(false);
        }
        return true;
    }
}
