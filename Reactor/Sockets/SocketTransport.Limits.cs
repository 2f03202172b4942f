using System.Net.Sockets;

namespace Chat.Reactor.Sockets;

/// <summary>What the accept loop does at the machine's limits: the connection cap, EMFILE and its kin.</summary>
internal sealed partial class SocketTransport
{
    // How long shedding waits for the backlog's head; the listener was readable, so it is there unless another took it.
    private static readonly TimeSpan ShedWait = TimeSpan.FromMilliseconds(100);
    private readonly AcceptBackoff _backoff = new();
    private readonly SpareDescriptor _spare = new();
    private readonly LogLimiter _acceptFailures = new();
    private readonly LogLimiter _refusals = new();
    private readonly LogLimiter _headroomRefusals = new();
    // Set during a pause: a connection that closes completes it, ending the pause early.
    private TaskCompletionSource? _descriptorFreed;

    private void RefuseAtCap(Socket socket)
    {
        Refuse(socket);
        if (_refusals.TryAcquire(out var suppressed)) ReactorLog.Refused(_logger, Volatile.Read(ref _open), _options.MaxConnections, suppressed);
    }

    private void RefuseInHeadroom(Socket socket)
    {
        var descriptor = socket.SafeHandle.DangerousGetHandle();
        Refuse(socket);
        if (_headroomRefusals.TryAcquire(out var suppressed)) ReactorLog.RefusedInHeadroom(_logger, descriptor, DescriptorBudget.Headroom, suppressed);
    }

    /// <summary>Writes the refusal (a fresh socket's send buffer always takes it) and closes without reading.</summary>
    private void Refuse(Socket socket)
    {
        var refusal = _options.RefusalResponse.Span;
        if (!refusal.IsEmpty) socket.Send(refusal, SocketFlags.None, out _);
        // Counted before the close, so that whoever sees the peer's end of it also sees the count.
        Interlocked.Increment(ref _refused);
        socket.Dispose();
    }

    /// <summary>
    /// After a failed accept: sheds the backlog's head when out of descriptors, then waits for the backoff's delay or
    /// until a connection closes. False when accepting stopped meanwhile.
    /// </summary>
    private async Task<bool> PauseAcceptingAsync(SocketError error)
    {
        if (error == SocketError.TooManyOpenSockets) await ShedOneAsync().ConfigureAwait(false);
        var delay = _backoff.Failed();
        if (_acceptFailures.TryAcquire(out var suppressed)) ReactorLog.AcceptFailed(_logger, error, delay.TotalMilliseconds, suppressed);
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
        if (!_spare.Held) return;
        _spare.Release();
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stopAccepting.Token);
            wait.CancelAfter(ShedWait);
            Refuse(await _listener.AcceptAsync(wait.Token).ConfigureAwait(false));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Nothing to shed, accepting stopped, or still no descriptor (ENFILE): the pause that follows handles it.
        }
        finally
        {
            _spare.Take();
        }
    }
}
