using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Chat.Reactor.Sockets;

/// <summary>The portable backend: an accept loop and one receive loop per connection on <see cref="Socket"/> async operations.</summary>
internal sealed partial class SocketTransport : ITransport
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
    private int _open;
    private long _refused;
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

    public int ConnectionCount => Volatile.Read(ref _open);

    public long RefusedCount => Interlocked.Read(ref _refused);

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
        _spare.Dispose();
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
                if (!await PauseAcceptingAsync(e.SocketErrorCode).ConfigureAwait(false)) return;
                continue;
            }
            _backoff.Succeeded();
            if (_options.MaxConnections > 0 && Volatile.Read(ref _open) >= _options.MaxConnections)
            {
                RefuseAtCap(socket);
                continue;
            }
            if (DescriptorBudget.IsInHeadroom(socket.SafeHandle.DangerousGetHandle()))
            {
                RefuseInHeadroom(socket);
                continue;
            }
            socket.NoDelay = true;
            var connection = new SocketConnection(Interlocked.Increment(ref _nextId), socket, _options, _events, _onClosed);
            Interlocked.Increment(ref _open);
            _connections[connection.Id] = connection;
            _ = connection.RunAsync();
        }
    }

    private void Forget(SocketConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        Interlocked.Decrement(ref _open);
        // A closed connection freed a descriptor: a paused accept loop can take the next peer now.
        Volatile.Read(ref _descriptorFreed)?.TrySetResult();
        if (Volatile.Read(ref _disposing) == 1 && _connections.IsEmpty) _allClosed.TrySetResult();
    }
}
