using System.Diagnostics;
using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Stages;

/// <summary>
/// Stage 1: reads the reactor's events, finds and parses HTTP request heads (incrementally: partial heads are kept,
/// never re-scanned), and once a head asks for /websocket passes every later byte of that connection on untouched.
/// </summary>
internal sealed class ParseHeaderStage(
    ChannelReader<TransportEvent> input,
    ChannelWriter<RequestItem> output,
    SessionRegistry sessions,
    PipelineOptions options,
    ServerMetrics metrics,
    ConnectionFaults faults)
{
    private static ReadOnlySpan<byte> WebSocketPath => "/websocket"u8;

    public async Task RunAsync()
    {
        while (await input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (input.TryRead(out var ev))
            {
                try
                {
                    await HandleAsync(ev).ConfigureAwait(false);
                }
                catch (Exception e) when (ConnectionFaults.IsConnectionScoped(e))
                {
                    faults.Fail(PipelineStage.ParseHeader, ev.Connection, ev.Connection.Tag as Session, e);
                }
            }
        }
        output.TryComplete();
    }

    private ValueTask HandleAsync(in TransportEvent ev) => ev.Kind switch
    {
        TransportEventKind.Opened => OpenAsync(ev.Connection),
        TransportEventKind.Received => ReceiveAsync((Session)ev.Connection.Tag!, ev.Buffer!, ev.Count),
        TransportEventKind.Closed => CloseAsync((Session)ev.Connection.Tag!),
        _ => default,
    };

    private ValueTask OpenAsync(Connection connection)
    {
        var session = new Session(connection, Stopwatch.GetTimestamp(), options.MaxPipelinedRequests);
        connection.Tag = session;
        ServerMetrics.Add(ref metrics.ConnectionsOpened);
        if (sessions.TryAdd(session)) return default;
        ServerMetrics.Add(ref metrics.ConnectionsRejected);
        session.Mode = SessionMode.Done;
        session.Requests.Enter();
        return output.WriteAsync(RequestItem.Reject(session, 503));
    }

    private ValueTask CloseAsync(Session session)
    {
        ReturnHead(session);
        sessions.Remove(session);
        return output.WriteAsync(RequestItem.Closed(session));
    }

    private async ValueTask ReceiveAsync(Session session, byte[] buffer, int count)
    {
        ServerMetrics.Add(ref metrics.BytesReceived, count);
        var offset = 0;
        while (offset < count && session.Mode == SessionMode.Http)
        {
            var chunk = buffer.AsSpan(offset, count - offset);
            var end = session.HeadScanner.Scan(chunk);
            var take = end < 0 ? chunk.Length : end;
            if (session.HeadLength + take > options.MaxHeadBytes)
            {
                if (session.HeadLength == 0) session.RejectingHead = chunk.StartsWith("HEAD "u8);
                await RejectAsync(session, 431).ConfigureAwait(false);
                break;
            }
            session.HeadBuffer ??= BufferPool.Shared.Rent(options.MaxHeadBytes);
            chunk[..take].CopyTo(session.HeadBuffer.AsSpan(session.HeadLength));
            session.HeadLength += take;
            offset += take;
            if (end < 0) break;
            await CompleteHeadAsync(session).ConfigureAwait(false);
        }

        if (session.Mode == SessionMode.WebSocket && offset < count)
        {
            // Bytes after the upgrade request belong to the WebSocket stages; the buffer goes with them.
            await output.WriteAsync(RequestItem.Data(session, buffer, offset, count - offset)).ConfigureAwait(false);
            return;
        }
        BufferPool.Shared.Return(buffer);
    }

    private async ValueTask CompleteHeadAsync(Session session)
    {
        var head = session.HeadBuffer!;
        var length = session.HeadLength;
        session.HeadBuffer = null;
        session.HeadLength = 0;
        session.HeadScanner.Reset();
        session.AwaitingHeadSince = Stopwatch.GetTimestamp();

        var error = HttpHeadParser.Parse(head.AsSpan(0, length), out var parsed);
        if (error is not (HttpParseError.None or HttpParseError.HasBody))
        {
            session.RejectingHead = head.AsSpan(0, length).StartsWith("HEAD "u8);
            BufferPool.Shared.Return(head);
            await RejectAsync(session, StatusFor(error)).ConfigureAwait(false);
            return;
        }
        ServerMetrics.Add(ref metrics.HttpRequests);
        if (head.AsSpan(parsed.Path).SequenceEqual(WebSocketPath)) session.Mode = SessionMode.WebSocket;
        // We never read request bodies: the answer to a request with one closes the connection.
        else if (error == HttpParseError.HasBody || !parsed.KeepAlive) session.Mode = SessionMode.Done;
        session.Requests.Enter();
        await output.WriteAsync(RequestItem.Request(session, head, length, parsed, session.Mode)).ConfigureAwait(false);
    }

    private ValueTask RejectAsync(Session session, int status)
    {
        if (session.HeadBuffer is not null && !session.RejectingHead) session.RejectingHead = session.HeadBuffer.AsSpan(0, session.HeadLength).StartsWith("HEAD "u8);
        ReturnHead(session);
        session.Mode = SessionMode.Done;
        session.Requests.Enter();
        return output.WriteAsync(RequestItem.Reject(session, status));
    }

    private static void ReturnHead(Session session)
    {
        if (session.HeadBuffer is null) return;
        BufferPool.Shared.Return(session.HeadBuffer);
        session.HeadBuffer = null;
        session.HeadLength = 0;
    }

    private static int StatusFor(HttpParseError error) => error switch
    {
        HttpParseError.UnsupportedVersion => 505,
        HttpParseError.TooManyHeaders => 431,
        _ => 400,
    };
}
