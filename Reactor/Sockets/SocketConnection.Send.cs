using System.Net.Sockets;

namespace Chat.Reactor.Sockets;

internal sealed partial class SocketConnection
{
    private async Task FlushAsync()
    {
        while (true)
        {
            FlushState state;
            lock (Sync)
            {
                state = EndFlushIfEmptyLocked();
                if (state == FlushState.More) Queue.Gather(_sendSegments, MaxSegmentsPerWrite);
            }
            if (state == FlushState.Idle) return;
            if (state == FlushState.ShutDown)
            {
                ShutdownSend();
                return;
            }
            int sent;
            try
            {
                sent = _sendSegments.Count == 1
                    ? await _socket.SendAsync(_sendSegments[0], SocketFlags.None).ConfigureAwait(false)
                    : await _socket.SendAsync(_sendSegments, SocketFlags.None).ConfigureAwait(false);
            }
            catch (Exception e) when (IsExpectedSocketFailure(e))
            {
                Abort();
                return;
            }
            Written(sent);
        }
    }
}
