using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Chat.LoadTests.Client;

/// <summary>
/// A minimal WebSocket client straight on <see cref="Socket"/>: one receive buffer, one send buffer, no per-message
/// allocation, so that thousands of them cost the shared CPU little. Sends come from one caller at a time, except the
/// pongs the receive loop answers, hence the send lock. Over TLS the same bytes go through an <see cref="SslStream"/>.
/// </summary>
internal sealed class LeanWebSocket : IAsyncDisposable
{
    private const int MaxPayload = 1 << 20;
    private readonly Socket _socket;
    private SslStream? _tls;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _receive;
    private byte[] _send = new byte[2048];
    private int _start;
    private int _end;
    private int _consumed;
    private byte[]? _fragments;
    private int _fragmentLength;
    private int _fragmentWireLength;
    private uint _maskState = (uint)Random.Shared.Next(1, int.MaxValue);
    private Chat.Pipeline.Codecs.Inflater? _inflater;
    private byte[]? _inflated;

    private LeanWebSocket(Socket socket, int receiveBuffer)
    {
        _socket = socket;
        _receive = new byte[receiveBuffer];
    }

    public long BytesIn { get; private set; }

    public long BytesOut { get; private set; }

    /// <summary>
    /// Bytes the last message took on the wire: frame headers and payload as sent, compressed or not (the message
    /// <see cref="ReceiveAsync"/> returned may be longer, once inflated).
    /// </summary>
    public int LastWireLength { get; private set; }

    /// <summary>The last message came compressed (RSV1, permessage-deflate), so a run can tell which frames were.</summary>
    public bool LastCompressed { get; private set; }

    /// <summary>
    /// Connects to <paramref name="server"/>, from <paramref name="localAddress"/> when given (so that many
    /// connections can use several loopback source addresses), and completes the handshake to <paramref name="pathAndQuery"/>.
    /// <paramref name="socketReceiveBuffer"/> > 0 pins SO_RCVBUF, which a slow consumer uses to fill up sooner.
    /// With <paramref name="tls"/>, a TLS handshake (ALPN http/1.1) comes first.
    /// </summary>
    public static async Task<LeanWebSocket> ConnectAsync(IPEndPoint server, string pathAndQuery, CancellationToken cancellation,
        IPAddress? localAddress = null, int socketReceiveBuffer = 0, int receiveBuffer = 16 * 1024, bool tls = false, bool deflate = false)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var client = new LeanWebSocket(socket, receiveBuffer);
        try
        {
            if (socketReceiveBuffer > 0) socket.ReceiveBufferSize = socketReceiveBuffer;
            if (localAddress is not null) socket.Bind(new IPEndPoint(localAddress, 0));
            await socket.ConnectAsync(server, cancellation);
            if (tls) await client.StartTlsAsync(server, cancellation);
            var key = HandshakeCodec.NewKey();
            var request = HandshakeCodec.Request(server.ToString(), pathAndQuery, key, deflate);
            await client.SendAllAsync(request, cancellation);
            client.BytesOut += request.Length;
            await client.ReadHandshakeAsync(key, cancellation);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one masked text frame.</summary>
    public async ValueTask SendTextAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        await _sendLock.WaitAsync(cancellation);
        try
        {
            await SendFrameLockedAsync(ClientFrameWriter.Text, payload, cancellation);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// The next text message; its payload stays valid until the next call. Null once the server closed (close frame or
    /// end of stream). Pings are answered on the way.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellation)
    {
        _start += _consumed;
        _consumed = 0;
        while (true)
        {
            if (ServerFrameReader.TryRead(_receive.AsSpan(_start, _end - _start), MaxPayload, out var frame))
            {
                var payload = _receive.AsMemory(_start + frame.PayloadOffset, frame.PayloadLength);
                switch (frame.Opcode)
                {
                    case 0x1 when frame.Final && _fragments is null && frame.Compressed:
                        _consumed = LastWireLength = frame.TotalLength;
                        LastCompressed = true;
                        return Inflate(payload.Span);
                    case 0x1 when frame.Final && _fragments is null:
                        _consumed = LastWireLength = frame.TotalLength;
                        LastCompressed = false;
                        return payload;
                    case 0x1 or 0x0:
                        _fragmentWireLength += frame.TotalLength;
                        if (AppendFragment(payload.Span, frame.Final) is { } whole)
                        {
                            _start += frame.TotalLength;
                            LastWireLength = _fragmentWireLength;
                            LastCompressed = false;
                            _fragmentWireLength = 0;
                            return whole;
                        }
                        _start += frame.TotalLength;
                        continue;
                    case 0x9:
                        await _sendLock.WaitAsync(cancellation);
                        try
                        {
                            await SendFrameLockedAsync(ClientFrameWriter.Pong, payload.ToArray(), cancellation);
                        }
                        finally
                        {
                            _sendLock.Release();
                        }
                        _start += frame.TotalLength;
                        continue;
                    case 0x8:
                        return null;
                    default:
                        _start += frame.TotalLength;
                        continue;
                }
            }

            if (!await FillAsync(cancellation)) return null;
        }
    }

    /// <summary>Sends a close frame (1000) and shuts the socket down; errors of a peer already gone are ignored.</summary>
    public async Task CloseAsync(CancellationToken cancellation)
    {
        try
        {
            await _sendLock.WaitAsync(cancellation);
            try
            {
                await SendFrameLockedAsync(ClientFrameWriter.Close, new byte[] { 0x03, 0xE8 }, cancellation);
            }
            finally
            {
                _sendLock.Release();
            }
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The server may have closed first; the socket is disposed either way.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _inflater?.Dispose();
        if (_tls is not null) await _tls.DisposeAsync();
        _sendLock.Dispose();
    }

    /// <summary>
    /// The load client trusts whatever certificate the loopback server presents: the runner made it a moment ago, and
    /// checking it would measure the client's chain building, not the server.
    /// </summary>
    private async Task StartTlsAsync(IPEndPoint server, CancellationToken cancellation)
    {
        _tls = new SslStream(new NetworkStream(_socket, ownsSocket: false), false, static (_, _, _, _) => true);
        await _tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = server.Address.ToString(),
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cancellation);
    }

    private async ValueTask SendFrameLockedAsync(byte opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        var length = Frame(opcode, payload.Span);
        await SendAllAsync(_send.AsMemory(0, length), cancellation);
        BytesOut += length;
    }

    private int Frame(byte opcode, ReadOnlySpan<byte> payload)
    {
        var needed = ClientFrameWriter.MaxLength(payload.Length);
        if (_send.Length < needed) _send = new byte[Math.Max(needed, _send.Length * 2)];
        return ClientFrameWriter.Write(_send, opcode, payload, MaskKey());
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(data, cancellation);
            return;
        }
        while (data.Length > 0)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellation);
            data = data[sent..];
        }
    }

    // RFC 6455 section 5.3 wants keys a browser's script cannot predict; a load client only needs them to differ per
    // frame, and xorshift32 costs nothing next to a cryptographic generator.
    private uint MaskKey()
    {
        var x = _maskState;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return _maskState = x;
    }

    /// <summary>A compressed message (the server sends them unfragmented), inflated into a buffer reused per socket.</summary>
    private ReadOnlyMemory<byte> Inflate(ReadOnlySpan<byte> compressed)
    {
        _inflater ??= new Chat.Pipeline.Codecs.Inflater();
        _inflated ??= new byte[MaxPayload + 1];
        _inflater.Reset();
        var written = 0;
        var status = _inflater.Inflate(compressed, _inflated, MaxPayload, ref written);
        if (status == Chat.Pipeline.Codecs.InflateStatus.Done) status = _inflater.Finish(_inflated, MaxPayload, ref written);
        if (status != Chat.Pipeline.Codecs.InflateStatus.Done) throw new InvalidDataException($"compressed server frame: {status}");
        return _inflated.AsMemory(0, written);
    }

    private ReadOnlyMemory<byte>? AppendFragment(ReadOnlySpan<byte> payload, bool final)
    {
        _fragments ??= new byte[Math.Max(4096, payload.Length)];
        if (_fragments.Length < _fragmentLength + payload.Length) Array.Resize(ref _fragments, (_fragmentLength + payload.Length) * 2);
        payload.CopyTo(_fragments.AsSpan(_fragmentLength));
        _fragmentLength += payload.Length;
        if (!final) return null;
        var whole = _fragments.AsMemory(0, _fragmentLength).ToArray();
        _fragments = null;
        _fragmentLength = 0;
        return whole;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellation)
    {
        if (_start > 0)
        {
            _receive.AsSpan(_start, _end - _start).CopyTo(_receive);
            _end -= _start;
            _start = 0;
        }

        if (_end == _receive.Length) Array.Resize(ref _receive, _receive.Length * 2);
        var read = _tls is null
            ? await _socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None, cancellation)
            : await _tls.ReadAsync(_receive.AsMemory(_end), cancellation);
        if (read == 0) return false;
        _end += read;
        BytesIn += read;
        return true;
    }

    private async Task ReadHandshakeAsync(string key, CancellationToken cancellation)
    {
        while (true)
        {
            var head = HandshakeCodec.HeadLength(_receive.AsSpan(0, _end));
            if (head > 0)
            {
                if (HandshakeCodec.Check(_receive.AsSpan(0, head), key) is { } error) throw new IOException(error);
                _start = head;
                return;
            }

            if (_end == _receive.Length && _receive.Length >= 64 * 1024) throw new IOException("handshake response head too long");
            if (!await FillAsync(cancellation)) throw new IOException("connection closed during the handshake");
        }
    }
}
