using System.Diagnostics;
using System.Threading.Channels;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Sessions;
using Chat.Reactor;
using Microsoft.Extensions.Logging;

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
    ILogger logger,
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
        var session = new Session(connection, Stopwatch.GetTimestamp(), options.MaxPipelinedRequests, metrics, logger) { ParseHeader = new ParseHeaderState() };
        connection.Tag = session;
        ServerMetrics.Add(ref metrics.ConnectionsOpened);
        if (sessions.TryAdd(session)) return default;
        ServerMetrics.Add(ref metrics.ConnectionsRejected);
        session.Progress.Mode = SessionMode.Done;
        session.Requests.Enter();
        return output.WriteAsync(RequestItem.Reject(session, 503, headOnly: false));
    }

    private ValueTask CloseAsync(Session session)
    {
        if (session.ParseHeader is { } state) ReturnHead(state);
        session.ParseHeader = null;
        sessions.Remove(session);
        return output.WriteAsync(RequestItem.Closed(session));
    }

    private async ValueTask ReceiveAsync(Session session, byte[] buffer, int count)
    {
        ServerMetrics.Add(ref metrics.BytesReceived, count);
        var state = session.ParseHeader!;
        var offset = 0;
        while (offset < count && session.Progress.Mode == SessionMode.Http)
        {
            var chunk = buffer.AsSpan(offset, count - offset);
            var end = state.HeadScanner.Scan(chunk);
            var take = end < 0 ? chunk.Length : end;
            if (state.HeadLength + take > options.MaxHeadBytes)
            {
                if (state.HeadLength == 0) state.RejectingHead = chunk.StartsWith("HEAD "u8);
                await RejectAsync(session, 431).ConfigureAwait(false);
                break;
            }
            state.HeadBuffer ??= BufferPool.Shared.Rent(options.MaxHeadBytes);
            chunk[..take].CopyTo(state.HeadBuffer.AsSpan(state.HeadLength));
            state.HeadLength += take;
            offset += take;
            if (end < 0) break;
            await CompleteHeadAsync(session, state).ConfigureAwait(false);
        }

        if (session.Progress.Mode == SessionMode.WebSocket && offset < count)
        {
            // Bytes after the upgrade request belong to the WebSocket stages; the buffer goes with them.
            await output.WriteAsync(RequestItem.Data(session, buffer, offset, count - offset)).ConfigureAwait(false);
            return;
        }
        BufferPool.Shared.Return(buffer);
    }

    private async ValueTask CompleteHeadAsync(Session session, ParseHeaderState state)
    {
        var head = state.HeadBuffer!;
        var length = state.HeadLength;
        state.HeadBuffer = null;
        state.HeadLength = 0;
        state.HeadScanner.Reset();
        session.Progress.AwaitingHeadSince = Stopwatch.GetTimestamp();

        var error = HttpHeadParser.Parse(head.AsSpan(0, length), out var parsed);
        if (error is not (HttpParseError.None or HttpParseError.HasBody))
        {
            state.RejectingHead = head.AsSpan(0, length).StartsWith("HEAD "u8);
            BufferPool.Shared.Return(head);
            await RejectAsync(session, StatusFor(error)).ConfigureAwait(false);
            return;
        }
        ServerMetrics.Add(ref metrics.HttpRequests);
        var mode = SessionMode.Http;
        if (head.AsSpan(parsed.Path).SequenceEqual(WebSocketPath)) mode = SessionMode.WebSocket;
        // We never read request bodies: the answer to a request with one closes the connection.
        else if (error == HttpParseError.HasBody || !parsed.KeepAlive) mode = SessionMode.Done;
        session.Progress.Mode = mode;
        session.Requests.Enter();
        await output.WriteAsync(RequestItem.Request(session, head, length, parsed, mode)).ConfigureAwait(false);
    }

    private ValueTask RejectAsync(Session session, int status)
    {
        var state = session.ParseHeader!;
        if (state.HeadBuffer is not null && !state.RejectingHead) state.RejectingHead = state.HeadBuffer.AsSpan(0, state.HeadLength).StartsWith("HEAD "u8);
        ReturnHead(state);
        session.Progress.Mode = SessionMode.Done;
        session.Requests.Enter();
        return output.WriteAsync(RequestItem.Reject(session, status, state.RejectingHead));
    }

    private static void ReturnHead(ParseHeaderState state)
    {
        if (state.HeadBuffer is null) return;
        BufferPool.Shared.Return(state.HeadBuffer);
        state.HeadBuffer = null;
        state.HeadLength = 0;
    }

    private static int StatusFor(HttpParseError error) => error switch
    {
        HttpParseError.UnsupportedVersion => 505,
        HttpParseError.TooManyHeaders => 431,
        _ => 400,
    };
}
