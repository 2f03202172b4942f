using Microsoft.Extensions.Logging;

namespace Chat.Server;

/// <summary>
/// The hard stop behind the graceful one. Once the server decides to exit (a signal, or a stage failed), the graceful
/// stop has CHAT_SHUTDOWN_TIMEOUT_SECONDS; past that the process exits anyway, whatever its stages are doing (failed,
/// blocked on a full channel, waiting on a store that does not answer). The issue saw a server that, after a stage
/// failed, ignored SIGTERM for 15 minutes.
/// It runs on a thread of its own, not a timer: a timer needs the thread pool, which stuck stages may be starving.
/// </summary>
internal sealed class ShutdownDeadline
{
    /// <summary>Every client got 1001 after all it sent was stored and broadcast.</summary>
    public const int Clean = 0;
    /// <summary>The deadline passed before the drain ended: messages received may be neither stored nor broadcast.</summary>
    public const int Overran = 1;
    /// <summary>A stage failed (EX_SOFTWARE): the server stopped because it could not go on.</summary>
    public const int Failed = 70;

    private readonly ManualResetEventSlim _requested = new();
    private readonly ManualResetEventSlim _finished = new();
    private readonly TimeSpan _timeout;
    private readonly Task _faulted;
    private readonly ILogger _logger;
    private readonly Action _flushLogs;

    private ShutdownDeadline(TimeSpan timeout, Task faulted, ILogger logger, Action flushLogs)
    {
        _timeout = timeout;
        _faulted = faulted;
        _logger = logger;
        _flushLogs = flushLogs;
    }

    /// <summary>Starts watching: the deadline starts at <see cref="Request"/> or when <paramref name="faulted"/> completes.</summary>
    public static ShutdownDeadline Start(TimeSpan timeout, Task faulted, ILogger logger, Action flushLogs)
    {
        var deadline = new ShutdownDeadline(timeout, faulted, logger, flushLogs);
        new Thread(deadline.Watch) { IsBackground = true, Name = "shutdown deadline" }.Start();
        return deadline;
    }

    /// <summary>The server decided to stop (safe from a signal handler).</summary>
    public void Request() => _requested.Set();

    /// <summary>The graceful stop ended: the process exits with its own code.</summary>
    public void Finished() => _finished.Set();

    private void Watch()
    {
        // A completed task's wait handle is set by the completion itself, with no continuation to schedule.
        WaitHandle.WaitAny([_requested.WaitHandle, ((IAsyncResult)_faulted).AsyncWaitHandle]);
        if (_finished.Wait(_timeout)) return;
        var code = _faulted.IsCompleted ? Failed : Overran;
        HostLog.DeadlinePassed(_logger, _timeout.TotalSeconds, code);
        // The console logger writes on its own thread: give it a moment, never more, to write that line.
        Task.Run(_flushLogs).Wait(TimeSpan.FromMilliseconds(500));
        Environment.Exit(code);
    }
}
