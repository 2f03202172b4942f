using System.Net.Sockets;

namespace Chat.Reactor.Sockets;

/// <summary>What the accept loop does at the machine's limits: the connection cap, EMFILE and its kin.</summary>
internal sealed partial class SocketTransport
{
    // How long shedding waits for the backlog's head; the listener was readable, so it is there unless another took it.
    private static readonly TimeSpan ShedWait = TimeSpan.FromMilliseconds(100);
    private readonly AcceptRefusals _refusals;
    // Set during a pause: a connection that closes completes it, ending the pause early.
    private TaskCompletionSource? _descriptorFreed;

    /// <summary>Writes the refusal (a fresh socket's send buffer always takes it) and closes without reading.</summary>
    private void Refuse(Socket socket, AcceptVerdict verdict)
    {
        var refusal = _options.RefusalResponse.Span;
        if (!refusal.IsEmpty) socket.Send(refusal, SocketFlags.None, out _);
        _refusals.Record(verdict, socket.SafeHandle.DangerousGetHandle(), _connections.Count);
        socket.Dispose();
    }

    /// <summary>
    /// After a failed accept: sheds the backlog's head when out of descriptors, then waits for the backoff's delay or
    /// until a connection closes. False when accepting stopped meanwhile.
    /// </summary>
    private async Task<bool> PauseAcceptingAsync(SocketError error)
    {
        if (error == SocketError.TooManyOpenSockets) await ShedOneAsync().ConfigureAwait(false);
        var delay = _listener.Backoff.Failed();
        _refusals.AcceptFailed(error, delay);
        var freed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _descriptorFreed, freed);
        try
        {
            await freed.Task.WaitAsync(delay, _stopAccepting.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The delay passed with no connection closed: try again.
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            Volatile.Write(ref _descriptorFreed, null);
        }
        return true;
    }

    /// <summary>Frees the spare descriptor to accept the backlog's head and refuse it, then takes the spare back.</summary>
    private async Task ShedOneAsync()
    {
        var spare = _listener.Spare;
        if (!spare.Held) return;
        spare.Release();
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stopAccepting.Token);
            wait.CancelAfter(ShedWait);
            Refuse(await _listener.Socket.AcceptAsync(wait.Token).ConfigureAwait(false), AcceptVerdict.Shed);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Nothing to shed, accepting stopped, or still no descriptor (ENFILE): the pause that follows handles it.
        }
        finally
        {
            spare.Take();
        }
    }
}
