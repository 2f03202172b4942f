using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Chat.Reactor.Sockets;

/// <summary>The portable backend: an accept loop and one receive loop per connection on <see cref="Socket"/> async operations.</summary>
internal sealed class SocketTransport : ITransport
{
    private readonly Socket _listener;
    private readonly ReactorOptions _options;
    private readonly ChannelWriter<TransportEvent> _events;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, SocketConnection> _connections = new();
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly Action<SocketConnection> _onClosed;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextId;
    private int _disposing;

    public SocketTransport(IPEndPoint endPoint, ReactorOptions options, ChannelWriter<TransportEvent> events, ILogger<SocketTransport> logger)
    {
        _options = options;
        _events = events;
        _logger = logger;
        _onClosed = Forget;
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(endPoint);
            _listener.Listen(options.Backlog);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public ReactorBackend Backend => ReactorBackend.Sockets;

    public int ConnectionCount => _connections.Count;

    public void Start() => _acceptLoop = AcceptLoopAsync();

    public void StopAccepting()
    {
        _stopAccepting.Cancel();
        _listener.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0) return;
        StopAccepting();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var connection in _connections.Values) connection.Abort();
        if (_connections.IsEmpty) _allClosed.TrySetResult();
        await _allClosed.Task.ConfigureAwait(false);
        _events.TryComplete();
        _stopAccepting.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopAccepting.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopAccepting.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE and friends: the listener stays up; the peer got a reset from the kernel.
                ReactorLog.AcceptFailed(_logger, e.SocketErrorCode);
                await Task.Delay(10).ConfigureAwait(false);
                continue;
            }
            socket.NoDelay = true;
            var connection = new SocketConnection(Interlocked.Increment(ref _nextId), socket, _options, _events, _onClosed);
            _connections[connection.Id] = connection;
            _ = connection.RunAsync();
        }
    }

    private void Forget(SocketConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        if (Volatile.Read(ref _disposing) == 1 && _connections.IsEmpty) _allClosed.TrySetResult();
    }
}
