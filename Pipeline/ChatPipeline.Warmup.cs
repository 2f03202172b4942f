using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Chat.Pipeline;

public sealed partial class ChatPipeline
{
    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WarmUpSessionGone = TimeSpan.FromSeconds(5);
    private static ReadOnlySpan<byte> WarmUpMask => [0x5a, 0x3c, 0x96, 0x0f];

    /// <summary>
    /// One client through every stage and the reactor before the server says it listens: the page, /healthz,
    /// /chat-history, /rooms, /presence, /metrics and a 404 on one keep-alive connection, then an upgrade that replays the last stored
    /// message, a chat message in two fragments, a ping and a close. So every assembly, pool, type initialiser and JIT
    /// path a client can need is loaded at start, not while a client waits (the issue saw a handshake fail because an
    /// assembly could not be opened once the descriptors were exhausted). The chat message has an empty comment: it is
    /// refused with an error frame, so nothing is stored or broadcast. The traffic counters are zeroed after it.
    /// Throws when the server does not answer its own warm-up as it would answer a client.
    /// </summary>
    public async Task WarmUpAsync(IPEndPoint endPoint)
    {
        var since = Math.Max(_rooms.General.LastId - 1, 0);
        var origin = _options.AllowedOrigins.Count > 0 ? _options.AllowedOrigins[0] : null;
        var tls = _ciphertext is not null;
        await Task.Run(() => WarmUp(Loopback(endPoint), tls, since, origin)).ConfigureAwait(false);
        LoadReferencedAssemblies();
        // The warm-up's connection must not hold a place under CHAT_MAX_CONNECTIONS when the first client comes. Its
        // session leaves once the close has gone through the stages; a client already connected on a fixed port
        // keeps the count up, so the wait is bounded.
        var clock = Stopwatch.StartNew();
        while (_sessions.Count > 0 && clock.Elapsed < WarmUpSessionGone) await Task.Delay(10).ConfigureAwait(false);
        _metrics.ResetCounters();
    }

    /// <summary>
    /// Loads what System.Text.Json references. The warm-up runs each path once, but the JIT recompiles hot methods
    /// later (tiered compilation) and may then need an assembly the first compilation did not: after about a hundred
    /// /chat-history answers System.IO.Pipelines was loaded. Loading the references of every loaded assembly instead
    /// would cost 64 more assemblies, and 128 descriptors held for ever, for paths no request takes.
    /// </summary>
    private static void LoadReferencedAssemblies()
    {
        foreach (var reference in typeof(System.Text.Json.Utf8JsonWriter).Assembly.GetReferencedAssemblies())
        {
            System.Reflection.Assembly.Load(reference);
        }
    }

    private static IPEndPoint Loopback(IPEndPoint endPoint)
    {
        if (endPoint.Address.Equals(IPAddress.Any)) return new IPEndPoint(IPAddress.Loopback, endPoint.Port);
        if (endPoint.Address.Equals(IPAddress.IPv6Any)) return new IPEndPoint(IPAddress.IPv6Loopback, endPoint.Port);
        return endPoint;
    }

    /// <summary>
    /// Over TLS the warm-up speaks TLS too, so that the handshake's own code paths load at start; it trusts whatever
    /// certificate its own server presents, since it only ever talks to itself on loopback.
    /// </summary>
    private static Stream Open(Socket socket, bool tls)
    {
        var network = new NetworkStream(socket, ownsSocket: false);
        if (!tls) return network;
        var secure = new SslStream(network, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        secure.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });
        return secure;
    }

    private static void WarmUp(IPEndPoint endPoint, bool tls, long since, string? origin)
    {
        var clock = Stopwatch.StartNew();
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)WarmUpTimeout.TotalMilliseconds,
            SendTimeout = (int)WarmUpTimeout.TotalMilliseconds,
        };
        socket.Connect(endPoint);
        using var stream = Open(socket, tls);
        var buffer = new byte[64 * 1024];
        var length = 0;

        foreach (var target in (string[])["/", "/healthz", "/chat-history?limit=1", "/rooms", "/presence", "/metrics", "/warm-up-not-found"])
        {
            SendAscii($"GET {target} HTTP/1.1\r\nHost: {endPoint}\r\n\r\n");
            var head = ReadHead();
            var body = ContentLength(Encoding.ASCII.GetString(buffer, 0, head));
            while (length < head + body) Fill();
            Consume(head + body);
        }

        // A name with a non-ASCII letter: names are NFC-normalised through ICU, which loads on the first such name.
        SendAscii($"GET /websocket?name=warm-up-%C3%A9&since={since} HTTP/1.1\r\nHost: {endPoint}\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: d2FybS11cCBjbGllbnQhIQ==\r\nSec-WebSocket-Version: 13\r\n"
            + (origin is null ? "" : $"Origin: {origin}\r\n") + "\r\n");
        var answer = ReadHead();
        var status = Encoding.ASCII.GetString(buffer, 0, Math.Min(answer, 12));
        if (status != "HTTP/1.1 101") throw new InvalidOperationException($"the warm-up's upgrade was answered '{status}'");
        Consume(answer);

        SendFrame(0x1, fin: false, "{\"messageType\":\"chatMessage\","u8);
        SendFrame(0x0, fin: true, "\"comment\":\"\"}"u8);
        SendFrame(0x9, fin: true, "warm-up"u8);
        bool refused = false, ponged = false;
        while (!refused || !ponged)
        {
            var (opcode, payload) = ReadFrame();
            if (opcode == 0xA) ponged = true;
            else if (opcode == 0x1 && payload.Contains("\"messageType\":\"error\"", StringComparison.Ordinal)) refused = true;
            else if (opcode == 0x8) throw new InvalidOperationException($"the server closed the warm-up's WebSocket: {payload}");
        }
        Span<byte> normalClosure = [0x03, 0xE8];
        SendFrame(0x8, fin: true, normalClosure);
        while (ReadFrame().Opcode != 0x8)
        {
        }
        // The server closes after its close echo: wait for that, so that the counters are zeroed after every item.
        while (stream.Read(buffer) > 0) CheckClock();

        void CheckClock()
        {
            if (clock.Elapsed > WarmUpTimeout) throw new TimeoutException($"the warm-up took longer than {WarmUpTimeout.TotalSeconds} s");
        }

        void SendAscii(string text) => stream.Write(Encoding.ASCII.GetBytes(text));

        // Client frames are masked (RFC 6455 section 5.3); every payload here is shorter than 126 bytes.
        void SendFrame(byte opcode, bool fin, ReadOnlySpan<byte> payload)
        {
            Span<byte> frame = stackalloc byte[6 + payload.Length];
            frame[0] = (byte)((fin ? 0x80 : 0) | opcode);
            frame[1] = (byte)(0x80 | payload.Length);
            WarmUpMask.CopyTo(frame[2..]);
            for (var i = 0; i < payload.Length; i++) frame[6 + i] = (byte)(payload[i] ^ WarmUpMask[i % 4]);
            stream.Write(frame);
        }

        void Fill()
        {
            CheckClock();
            if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            var read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0) throw new InvalidOperationException("the server closed the warm-up connection early");
            length += read;
        }

        void Consume(int count)
        {
            Buffer.BlockCopy(buffer, count, buffer, 0, length - count);
            length -= count;
        }

        int ReadHead()
        {
            int end;
            while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0) Fill();
            return end + 4;
        }

        // Server frames are not masked: 2, 4 or 10 header bytes, then the payload.
        (int Opcode, string Payload) ReadFrame()
        {
            while (true)
            {
                if (length >= 2)
                {
                    var length7 = buffer[1] & 0x7F;
                    var header = length7 == 127 ? 10 : length7 == 126 ? 4 : 2;
                    if (length >= header)
                    {
                        var payload = length7 switch
                        {
                            127 => (int)BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan(2)),
                            126 => BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)),
                            _ => length7,
                        };
                        if (length >= header + payload)
                        {
                            var frame = (buffer[0] & 0x0F, Encoding.UTF8.GetString(buffer, header, payload));
                            Consume(header + payload);
                            return frame;
                        }
                    }
                }
                Fill();
            }
        }
    }

    private static int ContentLength(string head)
    {
        const string Name = "\r\ncontent-length:";
        var at = head.IndexOf(Name, StringComparison.OrdinalIgnoreCase);
        if (at < 0) throw new InvalidOperationException($"a warm-up answer has no Content-Length: {head}");
        var start = at + Name.Length;
        var end = head.IndexOf('\r', start);
        return int.Parse(head.AsSpan(start, end - start).Trim(), provider: System.Globalization.CultureInfo.InvariantCulture);
    }
}
