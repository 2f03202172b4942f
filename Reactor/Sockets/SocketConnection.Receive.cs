using System.Net.Sockets;

namespace Chat.Reactor.Sockets;

internal sealed partial class SocketConnection
{
    /// <summary>
    /// Reads until the peer closes or the socket fails, then reports <see cref="TransportEventKind.Closed"/> (always the
    /// last event). Waits for readability with a zero-byte receive before renting a buffer, so an idle connection
    /// holds no receive buffer (as Kestrel's WaitForDataBeforeAllocatingBuffer does).
    /// </summary>
    public async Task RunAsync()
    {
        try
        {
            await _events.WriteAsync(TransportEvent.Opened(this)).ConfigureAwait(false);
            while (true)
            {
                await WaitWhilePausedAsync().ConfigureAwait(false);
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                // A pause that came while we waited for data holds from here: the bytes stay in the kernel.
                await WaitWhilePausedAsync().ConfigureAwait(false);
                var buffer = BufferPool.Shared.Rent(Options.ReceiveBufferSize);
                int received;
                try
                {
                    received = await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                }
                catch
                {
                    BufferPool.Shared.Return(buffer);
                    throw;
                }
                if (received == 0 || IsClosing)
                {
                    // After our close started, what the peer still sends has no reader; we only wait for its FIN.
                    BufferPool.Shared.Return(buffer);
                    if (received == 0) break;
                    continue;
                }
                MarkActivity();
                await _events.WriteAsync(TransportEvent.Received(this, buffer, received)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsExpectedSocketFailure(e))
        {
        }
        finally
        {
            MarkClosing();
            _socket.Dispose();
            MarkClosed();
            // The transport completes the channel only after every connection wrote its Closed event, so it is never lost.
            await _events.WriteAsync(TransportEvent.Closed(this)).ConfigureAwait(false);
            _onClosed(this);
        }
    }

    private static bool IsExpectedSocketFailure(Exception e) =>
        e is SocketException or ObjectDisposedException or OperationCanceledException;
}
