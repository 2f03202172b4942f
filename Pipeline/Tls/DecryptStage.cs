using System.Threading.Channels;
using Chat.Reactor;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Tls;

/// <summary>
/// Stage 0 when TLS is on, between the reactor and parse-header: gives each new connection a <see cref="TlsSession"/>
/// (also its outbound transform, so every later send is encrypted) and feeds it the ciphertext. Decryption itself runs
/// in each session's read loop, because <see cref="System.Net.Security.SslStream"/> is a stream that pulls; the loops
/// write plaintext events to parse-header's channel. The output completes once the input did and every session
/// reported its Closed.
/// </summary>
internal sealed class DecryptStage(
    ChannelReader<TransportEvent> input,
    ChannelWriter<TransportEvent> output,
    TlsCredentials credentials,
    ILogger logger)
{
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Sessions still running, plus one for this loop while it reads.</summary>
    private int _live = 1;

    public async Task RunAsync()
    {
        while (await input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (input.TryRead(out var ev))
            {
                switch (ev.Kind)
                {
                    case TransportEventKind.Opened:
                        var session = new TlsSession(ev.Connection, logger);
                        ev.Connection.Outbound = session;
                        Interlocked.Increment(ref _live);
                        await output.WriteAsync(ev).ConfigureAwait(false);
                        _ = RunSessionAsync(session);
                        break;
                    case TransportEventKind.Received:
                        ((TlsSession)ev.Connection.Outbound!).Feed(ev.Buffer!, ev.Count);
                        break;
                    case TransportEventKind.Closed:
                        ((TlsSession)ev.Connection.Outbound!).PeerClosed();
                        break;
                }
            }
        }
        Release();
        await _allClosed.Task.ConfigureAwait(false);
        output.TryComplete();
    }

    private async Task RunSessionAsync(TlsSession session)
    {
        try
        {
            await session.RunAsync(credentials.Options, output).ConfigureAwait(false);
        }
        finally
        {
            Release();
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _live) == 0) _allClosed.TrySetResult();
    }
}
