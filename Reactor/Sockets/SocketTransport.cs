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
    private readonly ConnectionTable _connections = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly Action<SocketConnection> _onClosed;
    private Task _acceptLoop = Task.CompletedTask;
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

    public int ConnectionCount => _connections.Count;

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
        await _connections.CloseAllAsync().ConfigureAwait(false);
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
            var verdict = _refusals.Judge(socket.SafeHandle.DangerousGetHandle(), _connections.Count);
            if (verdict != AcceptVerdict.Admit)
            {
                Refuse(socket, verdict);
                continue;
            }
            socket.NoDelay = true;
            var connection = new SocketConnection(_connections.NextId(), socket, _options, _events, _onClosed);
            _connections.Add(connection);
            _ = connection.RunAsync();
        }
    }

    private void Forget(SocketConnection connection)
    {
        _connections.Remove(connection);
        // A closed connection freed a descriptor: a paused accept loop can take the next peer now.
        Volatile.Read(ref _descriptorFreed)?.TrySetResult();
    }
}
