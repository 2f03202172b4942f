using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Text.Json;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Infrastructure;

/// <summary>
/// The client as a chat page uses it: whole text messages in, pings answered, pongs skipped, fragments reassembled,
/// and a close frame or a lost connection reported as a <see cref="WebSocketException"/>, as a browser's socket does.
/// </summary>
internal sealed partial class RawClient
{
    private const int MaxMessageBytes = 1 << 20;

    /// <summary>The status code of the close frame the server sent, once one was read.</summary>
    public int? CloseCode { get; private set; }

    /// <summary>False once a read saw the server's close frame or the end of the stream.</summary>
    public bool IsOpen => CloseCode is null && !_eof;

    /// <summary>
    /// Connects to a ws:// or wss:// address and completes the handshake at its path and query. For wss://, the
    /// certificate <paramref name="trusted"/> accepts, or else the one <see cref="SpeakTlsTo"/> registered.
    /// </summary>
    public static async Task<RawClient> OpenWebSocketAsync(Uri uri, RemoteCertificateValidationCallback? trusted = null)
    {
        var host = uri.IsLoopback && !IPAddress.TryParse(uri.Host, out _) ? IPAddress.Loopback : IPAddress.Parse(uri.Host);
        var endPoint = new IPEndPoint(host, uri.Port);
        SslClientAuthenticationOptions? tls = null;
        if (uri.Scheme == "wss")
        {
            tls = trusted is null
                ? TlsServers[endPoint].ClientOptions(uri.Host)
                : new SslClientAuthenticationOptions
                {
                    TargetHost = uri.Host,
                    RemoteCertificateValidationCallback = trusted,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                };
        }
        var client = await ConnectAsync(endPoint, tls, source: null, receiveBuffer: 0);
        try
        {
            await client.UpgradeAsync(uri.AbsolutePath, uri.GetComponents(UriComponents.Query, UriFormat.UriEscaped), "", expectSwitch: true);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next text message as JSON; throws <see cref="TimeoutException"/> when none comes in time.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Timeout);
        var message = new MemoryStream();
        while (true)
        {
            ServerFrame frame;
            try
            {
                frame = await ReadFrameAsync(Remaining(deadline));
            }
            catch (EndOfStreamException e)
            {
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, e);
            }
            switch (frame.Opcode)
            {
                case Opcode.Ping:
                    await SendFrameAsync(Opcode.Pong, frame.Payload);
                    continue;
                case Opcode.Pong:
                    continue;
                case Opcode.Close:
                    CloseCode = frame.CloseCode ?? 1005;
                    throw new WebSocketException($"closed by the server with {CloseCode} ({(WebSocketCloseStatus)CloseCode}): {frame}");
                case Opcode.Text or Opcode.Continuation:
                    message.Write(frame.Payload);
                    Assert.True(message.Length <= MaxMessageBytes, "a server message over 1 MiB");
                    if (!frame.Fin) continue;
                    using (var document = JsonDocument.Parse(message.ToArray())) return document.RootElement.Clone();
                default:
                    throw new InvalidDataException($"a server frame a chat client does not expect: {frame}");
            }
        }
    }

    /// <summary>The next <paramref name="count"/> messages, skipping nothing: each must be a chatMessage.</summary>
    public async Task<List<ChatFrame>> ReceiveChatsAsync(int count, TimeSpan? within = null)
    {
        var frames = new List<ChatFrame>(count);
        for (var i = 0; i < count; i++) frames.Add(ChatFrame.From(await ReceiveAsync(within)));
        return frames;
    }

    /// <summary>True when no message arrives within <paramref name="quiet"/> (pings and pongs do not count).</summary>
    public async Task<bool> IsQuietAsync(TimeSpan quiet)
    {
        try
        {
            await ReceiveAsync(quiet);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>The close handshake from our side: a 1000 close, then frames until the server's close frame.</summary>
    public async Task CloseAsync()
    {
        if (!IsOpen) return;
        await SendCloseAsync(1000, "bye");
        CloseCode = await ReadCloseCodeAsync();
    }
}
