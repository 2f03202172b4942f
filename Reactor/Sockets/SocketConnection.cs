using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Chat.Reactor.Sockets;

/// <summary>
/// A connection on the portable backend: one receive loop per connection over <see cref="Socket"/> async operations,
/// and a flush loop that runs on the thread pool only while something is queued.
/// </summary>
internal sealed partial class SocketConnection : Connection, IThreadPoolWorkItem
{
    // Gathered writes of at most this many segments; the kernel's IOV_MAX is 1024.
    private const int MaxSegmentsPerWrite = 64;

    private readonly Socket _socket;
    private readonly ChannelWriter<TransportEvent> _events;
    private readonly Action<SocketConnection> _onClosed;
    private readonly List<ArraySegment<byte>> _sendSegments = new(MaxSegmentsPerWrite);
    private readonly object _pauseSync = new();
    private TaskCompletionSource? _resumed;
    private bool _paused;
    private int _aborted;

    public SocketConnection(long id, Socket socket, ReactorOptions options, ChannelWriter<TransportEvent> events, Action<SocketConnection> onClosed)
        : base(id, (IPEndPoint)socket.RemoteEndPoint!, options)
    {
        _socket = socket;
        _events = events;
        _onClosed = onClosed;
    }

    public override void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
        MarkClosing();
        ResumeReading();
        try
        {
            // Linger 0: an aborted connection leaves with RST instead of waiting in TIME_WAIT.
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }

    private protected override void PauseReadingCore()
    {
        lock (_pauseSync) _paused = true;
    }

    public override void ResumeReading()
    {
        TaskCompletionSource? resumed;
        lock (_pauseSync)
        {
            _paused = false;
            resumed = _resumed;
            _resumed = null;
        }
        resumed?.TrySetResult();
    }

    private protected override void ScheduleFlush() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute() => _ = FlushAsync();

    private protected override void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            Abort();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private Task WaitWhilePausedAsync()
    {
        lock (_pauseSync)
        {
            if (!_paused) return Task.CompletedTask;
            _resumed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _resumed.Task;
        }
    }
}
