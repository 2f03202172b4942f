using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Chat.Reactor.Sockets;

/// <summary>The portable backend: an accept loop and one receive loop per connection on <see cref="Socket"/> async operations.</summary>
internal sealed partial class SocketTransport : ITransport
{
    private readonly ListenerSocket _listener;
    private readonly ReactorOptions _options;
    private readonly ChannelWriter<TransportEvent> _events;
    private readonly ConcurrentDictionary<long, SocketConnection> _connections = new();
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly Action<SocketConnection> _onClosed;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextId;
    private int _open;
    private int _disposing;

    public SocketTransport(IPEndPoint endPoint, ReactorOptions options, ChannelWriter<TransportEvent> events, ILogger<SocketTransport> logger)
    {
        _options = options;
        _events = events;
        _onClosed = Forget;
        _refusals = new AcceptRefusals(options, logger);
        _listener = ListenerSocket.Open(endPoint, options.Backlog, blocking: true);
    }

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public ReactorBackend Backend => ReactorBackend.Sockets;

    public int ConnectionCount => Volatile.Read(ref _open);

    public long RefusedCount => _refusals.Refused;

    public void Start() => _acceptLoop = AcceptLoopAsync();

    public void StopAccepting()
    {
        _stopAccepting.Cancel();
        _listener.StopListening();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0) return;
        StopAccepting();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var connection in _connections.Values) connection.Abort();
        if (_connections.IsEmpty) _allClosed.TrySetResult();
        await _allClosed.Task.ConfigureAwait(false);
        _listener.Dispose();
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
                socket = await _listener.Socket.AcceptAsync(_stopAccepting.Token).ConfigureAwait(false);
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
            _listener.Backoff.Succeeded();
            var verdict = _refusals.Judge(socket.SafeHandle.DangerousGetHandle(), Volatile.Read(ref _open));
            if (verdict != AcceptVerdict.Admit)
            {
                Refuse(socket, verdict);
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
