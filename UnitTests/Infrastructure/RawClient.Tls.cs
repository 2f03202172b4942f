using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Chat.UnitTests.Tls;

namespace Chat.UnitTests.Infrastructure;

/// <summary>
/// TLS under the raw client: the same hand-built bytes, inside an <see cref="SslStream"/>. A server registered with
/// <see cref="SpeakTlsTo"/> gets TLS from every client that connects to it, so every case runs over TLS unchanged.
/// A pump reads the stream into a channel, because a read of an <see cref="SslStream"/> cannot be cancelled safely
/// and the cases time their reads out.
/// </summary>
internal sealed partial class RawClient
{
    private static readonly ConcurrentDictionary<IPEndPoint, TestCertificate> TlsServers = new();

    private SslStream? _tls;
    private Channel<ArraySegment<byte>>? _plaintext;
    private ArraySegment<byte> _chunk;
    private Task _pump = Task.CompletedTask;

    /// <summary>Clients connecting to <paramref name="endPoint"/> speak TLS, trusting <paramref name="certificate"/>'s CA.</summary>
    public static void SpeakTlsTo(IPEndPoint endPoint, TestCertificate certificate) => TlsServers[endPoint] = certificate;

    public static void ForgetTls(IPEndPoint endPoint) => TlsServers.TryRemove(endPoint, out _);

    /// <summary>True when this client speaks TLS (the server was registered with <see cref="SpeakTlsTo"/>).</summary>
    public bool IsTls => _tls is not null;

    /// <summary>The TLS session's negotiated protocol version and ALPN, for the TLS tests.</summary>
    public SslStream? TlsStream => _tls;

    private async Task StartTlsAsync(SslClientAuthenticationOptions options)
    {
        _tls = new SslStream(new NetworkStream(_socket, ownsSocket: false));
        using var deadline = new CancellationTokenSource(Timeout);
        await _tls.AuthenticateAsClientAsync(options, deadline.Token);
        _plaintext = Channel.CreateUnbounded<ArraySegment<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _pump = PumpAsync(_tls, _plaintext.Writer);
    }

    private static async Task PumpAsync(SslStream tls, ChannelWriter<ArraySegment<byte>> plaintext)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await tls.ReadAsync(buffer)) > 0) plaintext.TryWrite(new ArraySegment<byte>(buffer.AsSpan(0, read).ToArray()));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // A reset or a torn-down stream ends the plaintext like a FIN: the cases read it as "closed".
        }
        catch (Exception e)
        {
            // Anything else (a record that does not decrypt, an alert) fails the case's next read with its own message,
            // instead of leaving that read to wait out its deadline as if the server had sent nothing.
            plaintext.TryComplete(e);
            return;
        }
        plaintext.TryComplete();
    }

    private async ValueTask SendCoreAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_tls is null)
        {
            while (!bytes.IsEmpty)
            {
                var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
                bytes = bytes[sent..];
            }
            return;
        }
        await _tls.WriteAsync(bytes, cancellationToken);
        await _tls.FlushAsync(cancellationToken);
    }

    /// <summary>Like a socket receive: 0 at the end of the stream; cancellable at any time.</summary>
    private async ValueTask<int> ReceiveCoreAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_plaintext is null) return await _socket.ReceiveAsync(destination, SocketFlags.None, cancellationToken);
        while (_chunk.Count == 0)
        {
            if (_plaintext.Reader.TryRead(out _chunk)) continue;
            if (!await _plaintext.Reader.WaitToReadAsync(cancellationToken)) return 0;
        }
        var take = Math.Min(destination.Length, _chunk.Count);
        _chunk.AsSpan(0, take).CopyTo(destination.Span);
        _chunk = _chunk.Slice(take);
        return take;
    }

    private async ValueTask DisposeTlsAsync()
    {
        if (_tls is null) return;
        _socket.Dispose();
        await _tls.DisposeAsync();
        await _pump;
    }
}
