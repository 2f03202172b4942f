using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Http;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 2: answers each request head. /websocket gets the RFC 6455 handshake (101, or 400/403/405/426 and a close);
/// every other request goes to the HTTP responder. After a 101 the join goes straight to the broadcast stage, and the
/// connection's bytes flow on to the frame decoder.
/// </summary>
internal sealed class HandshakeStage(
    ChannelReader<RequestItem> input,
    ChannelWriter<WireItem> output,
    JoinChannel joins,
    HttpResponder responder,
    UsernameAssigner usernames,
    PipelineOptions options,
    ServerMetrics metrics,
    RoomDirectory rooms,
    AbuseReport abuse,
    ConnectionFaults faults)
{
    private static ReadOnlySpan<byte> Version13 => "Sec-WebSocket-Version: 13\r\n"u8;
    private static ReadOnlySpan<byte> AllowGet => "Allow: GET\r\n"u8;

    // Upgrades whose earlier answers are now queued; the continuation of HttpAnswered posts them here, so that this
    // worker never awaits one connection's answers while every other connection's bytes wait behind it.
    private readonly Channel<Session> _resumed = Channel.CreateUnbounded<Session>(new UnboundedChannelOptions { SingleReader = true });
    /// <summary>Connections with a deferred upgrade (this worker's own count): only then is there a resume to wait for.</summary>
    private int _deferred;

    public async Task RunAsync()
    {
        while (true)
        {
            while (_resumed.Reader.TryRead(out var resumed)) await ResumeAsync(resumed).ConfigureAwait(false);
            if (input.TryRead(out var item))
            {
                try
                {
                    await HandleAsync(item).ConfigureAwait(false);
                }
                catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
                {
                    faults.Fail(PipelineStage.Handshake, item.Session, e);
                }
                continue;
            }
            var more = input.WaitToReadAsync();
            if (_deferred == 0)
            {
                // The common case waits on the input alone: a pooled wait that allocates nothing per message.
                if (!await more.ConfigureAwait(false)) break;
                continue;
            }
            if (more.IsCompleted)
            {
                if (!more.Result) break;
                continue;
            }
            await Task.WhenAny(more.AsTask(), _resumed.Reader.WaitToReadAsync().AsTask()).ConfigureAwait(false);
        }
        output.TryComplete();
    }

    private async ValueTask HandleAsync(RequestItem item)
    {
        var session = item.Session;
        if (session.Handshake is { } waiting)
        {
            waiting.Deferred.Enqueue(item);
            return;
        }
        switch (item.Kind)
        {
            case ItemKind.Request when item.Mode == SessionMode.WebSocket && !session.HttpAnswered.IsCompleted:
                // An upgrade pipelined behind answers still being produced (history, health): the 101 and every frame
                // after it go straight to the connection, so they wait for those answers, and only this connection waits.
                session.Handshake = new HandshakeState();
                session.Handshake.Deferred.Enqueue(item);
                _deferred++;
                _ = ResumeWhenAnsweredAsync(session);
                break;
            case ItemKind.Request:
                Answer(session, item.Buffer!.AsSpan(0, item.Count), item.Head, item.Mode);
                BufferPool.Shared.Return(item.Buffer!);
                break;
            case ItemKind.Reject:
                abuse.Record(session.Connection, AbuseKind.RefusedRequest, $"{item.Status} {ReasonFor(item.Status)}");
                HttpAnswer.SendError(session, item.Status, ReasonFor(item.Status), keepAlive: false, item.HeadOnly);
                break;
            case ItemKind.Data when !session.Progress.Upgraded:
                BufferPool.Shared.Return(item.Buffer!);
                break;
            case ItemKind.Data:
                await output.WriteAsync(WireItem.Data(session, item.Buffer!, item.Offset, item.Count)).ConfigureAwait(false);
                break;
            case ItemKind.Closed:
                await output.WriteAsync(WireItem.Closed(session)).ConfigureAwait(false);
                break;
        }
    }

    private async Task ResumeWhenAnsweredAsync(Session session)
    {
        await session.HttpAnswered.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _resumed.Writer.TryWrite(session);
    }

    /// <summary>Handles what waited for the connection's answers, in the order it arrived.</summary>
    private async ValueTask ResumeAsync(Session session)
    {
        var deferred = session.Handshake!.Deferred;
        session.Handshake = null;
        _deferred--;
        while (deferred.TryDequeue(out var item)) await HandleAsync(item).ConfigureAwait(false);
    }

    /// <summary>Answers one request; a successful upgrade is posted to the broadcast stage as a join.</summary>
    private void Answer(Session session, ReadOnlySpan<byte> head, in HttpRequestHead request, SessionMode mode)
    {
        if (mode != SessionMode.WebSocket)
        {
            responder.Answer(session, head, request, keepAlive: request.KeepAlive && mode == SessionMode.Http);
            return;
        }
        if (request.Method != HttpMethod.Get)
        {
            Refuse(session, 405, "method not allowed", request.Method == HttpMethod.Head, AllowGet);
            return;
        }
        var error = WebSocketHandshake.Validate(request, head);
        if (error == HandshakeError.BadVersion)
        {
            Refuse(session, 426, "Sec-WebSocket-Version must be 13", headOnly: false, Version13);
            return;
        }
        if (error != HandshakeError.None)
        {
            Refuse(session, 400, DescribeHandshake(error));
            return;
        }
        if (!OriginAllowed(request, head))
        {
            Refuse(session, 403, "origin not allowed");
            return;
        }
        var query = head[request.Query];
        if (!SinceQuery.TryGet(query, out var since))
        {
            Refuse(session, 400, SinceQuery.Rule);
            return;
        }
        if (!RoomQuery.TryGet(query, out var name))
        {
            Refuse(session, 400, RoomQuery.Rule);
            return;
        }
        switch (rooms.TryOpen(name, out var room))
        {
            case RoomOpen.NotAllowed:
                Refuse(session, 403, $"room '{name}' is not one of this server's rooms (CHAT_ROOMS)");
                return;
            case RoomOpen.Full:
                Refuse(session, 403, $"too many rooms: this server holds at most {options.MaxRooms} (CHAT_MAX_ROOMS); join an existing one");
                return;
        }
        var wantsPresence = QueryString.TryGetInt64(query, "presence"u8, out var presence) && presence == 1;
        var (username, usernameEscaped) = usernames.Assign(query);
        var deflate = options.PerMessageDeflate && request.HasSecWebSocketExtensions
            ? PerMessageDeflateNegotiation.Negotiate(head[request.SecWebSocketExtensions])
            : default;
        session.Member = new Member(username, usernameEscaped, room!, wantsPresence, deflate);

        // Taken before the 101 is queued: a message whose fan-out starts after this may be sent by a peer who already saw
        // this client's 101, so the broadcast stage gives it to this client (see Rooms.LastIdHistory).
        var switchedAt = Stopwatch.GetTimestamp();
        var buffer = SharedBuffer.Rent(WebSocketHandshake.MaxSwitchingProtocolsLength);
        var length = WebSocketHandshake.WriteSwitchingProtocols(head[request.SecWebSocketKey], buffer.Span, deflate);
        session.Writer.SendSwitchingProtocols(buffer, length);
        buffer.Release();
        session.Requests.Leave();
        session.Progress.Upgraded = true;
        ServerMetrics.Add(ref metrics.WebSocketSessions);
        // After the 101 (what broadcast queues for the client follows it) and before any of the connection's bytes
        // go on to deframe (broadcast takes the join before anything the connection sent reaches it).
        joins.Post(new JoinItem(session, since, switchedAt));
    }

    /// <summary>A refused handshake: counted for the abuse report, answered, and the connection closed after it.</summary>
    private void Refuse(Session session, int status, string message, bool headOnly = false, ReadOnlySpan<byte> extraHeaders = default)
    {
        abuse.Record(session.Connection, AbuseKind.RefusedRequest, $"{status} {message}");
        HttpAnswer.SendError(session, status, message, keepAlive: false, headOnly, extraHeaders);
    }

    private bool OriginAllowed(in HttpRequestHead request, ReadOnlySpan<byte> head)
    {
        if (options.AllowedOrigins.Count == 0) return true;
        if (!request.HasOrigin) return false;
        var origin = Encoding.ASCII.GetString(head[request.Origin]);
        foreach (var allowed in options.AllowedOrigins)
        {
            if (string.Equals(allowed, origin, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static string DescribeHandshake(HandshakeError error) => error switch
    {
        HandshakeError.NotHttp11 => "WebSocket needs HTTP/1.1",
        HandshakeError.MissingUpgrade => "missing Upgrade: websocket",
        HandshakeError.MissingConnectionUpgrade => "missing Connection: upgrade",
        HandshakeError.MissingKey => "missing Sec-WebSocket-Key",
        HandshakeError.BadKey => "Sec-WebSocket-Key must be base64 of 16 bytes",
        _ => "bad WebSocket handshake",
    };

    private static string ReasonFor(int status) => status switch
    {
        431 => "request head too large",
        505 => "HTTP version not supported",
        503 => "too many connections",
        408 => "request head timeout",
        _ => "bad request",
    };
}
