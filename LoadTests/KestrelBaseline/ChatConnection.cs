using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>
/// One WebSocket: a receive loop that parses and publishes, and a send loop that owns every SendAsync (a WebSocket
/// allows one send at a time), fed by a bounded channel so that a broadcast never waits for a slow reader.
/// </summary>
internal sealed class ChatConnection
{
    /// <summary>Largest message accepted; a longer one closes with 1009, as our server does by default.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>Frames queued for a reader that does not keep up before it is dropped.</summary>
    private const int QueueLimit = 4096;

    private const int ReplayPage = 1000;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly ChatRoom _room;
    private readonly ILogger _logger;
    private readonly Channel<OutboundFrame> _outbound = Channel.CreateBounded<OutboundFrame>(
        new BoundedChannelOptions(QueueLimit) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly string _escapedUsername;
    private int _ended;

    public ChatConnection(WebSocket socket, string username, ChatRoom room, ILogger logger)
    {
        _socket = socket;
        _room = room;
        _logger = logger;
        _escapedUsername = HtmlText.Escape(username);
        Id = room.NextConnectionId();
    }

    public long Id { get; }

    /// <summary>Queues a frame; a full queue aborts the connection (counted as a dropped slow consumer).</summary>
    public void Enqueue(OutboundFrame frame)
    {
        if (_outbound.Writer.TryWrite(frame) || Interlocked.Exchange(ref _ended, 1) == 1) return;
        _room.Metrics.SlowConsumerDropped();
        _outbound.Writer.TryComplete();
        _socket.Abort();
    }

    /// <summary>
    /// Runs the connection until either side closes it. The caller joined it to the room first: with <paramref name="since"/>,
    /// stored messages after it are sent before the queue, and queued ones already replayed are skipped (no gap, no
    /// duplicate).
    /// </summary>
    public async Task RunAsync(long? since, CancellationToken aborted)
    {
        var sending = SendLoopAsync(since, aborted);
        (WebSocketCloseStatus Status, string Reason)? close = null;
        try
        {
            close = await ReceiveLoopAsync(aborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The peer vanished or sent something the WebSocket itself refuses (e.g. invalid UTF-8: it closed with 1007).
        }

        End();
        try
        {
            await sending;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ChannelClosedException)
        {
            _socket.Abort();
        }

        if (close is { } answer && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            try
            {
                await _socket.CloseOutputAsync(answer.Status, answer.Reason, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                _socket.Abort();
            }
        }
    }

    private void End()
    {
        Interlocked.Exchange(ref _ended, 1);
        _outbound.Writer.TryComplete();
    }

    /// <summary>Returns the close frame to answer with, or throws when the connection died.</summary>
    private async Task<(WebSocketCloseStatus, string)> ReceiveLoopAsync(CancellationToken aborted)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        if (count >= MaxMessageBytes) return (WebSocketCloseStatus.MessageTooBig, "message too big");
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxMessageBytes));
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var room = Math.Min(buffer.Length, MaxMessageBytes) - count;
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count, room), aborted);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                switch (result.MessageType)
                {
                    case WebSocketMessageType.Close:
                        return (_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "");
                    case WebSocketMessageType.Binary:
                        return (WebSocketCloseStatus.InvalidMessageType, "binary messages are not accepted");
                    default:
                        await HandleTextAsync(buffer.AsMemory(0, count), aborted);
                        break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task HandleTextAsync(ReadOnlyMemory<byte> json, CancellationToken aborted)
    {
        var comment = ChatJson.ParseComment(json, out var error);
        if (comment is null)
        {
            _room.Metrics.Rejected();
            Enqueue(new OutboundFrame(0, ChatJson.EncodeError(error!)));
            return;
        }

        _room.Metrics.Received();
        try
        {
            await _room.PublishAsync(_escapedUsername, HtmlText.Escape(comment), aborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            BaselineLog.StoreFailed(_logger, e, _room.Store.Description);
            Enqueue(new OutboundFrame(0, ChatJson.EncodeError("the message could not be stored; try again")));
        }
    }

    private async Task SendLoopAsync(long? since, CancellationToken aborted)
    {
        var replayedUpTo = 0L;
        if (since is { } after) replayedUpTo = await ReplayAsync(after, aborted);
        await foreach (var frame in _outbound.Reader.ReadAllAsync(aborted))
        {
            if (frame.Id != 0 && frame.Id <= replayedUpTo) continue;
            await _socket.SendAsync(frame.Payload, WebSocketMessageType.Text, true, aborted);
            if (frame.Id != 0) _room.Metrics.Delivered();
        }
    }

    /// <summary>Sends every stored message after <paramref name="afterId"/>; returns the last id sent.</summary>
    private async Task<long> ReplayAsync(long afterId, CancellationToken aborted)
    {
        while (true)
        {
            var page = await _room.Store.ReadAfterAsync(afterId, ReplayPage, aborted);
            foreach (var message in page)
            {
                await _socket.SendAsync(ChatJson.Encode(message), WebSocketMessageType.Text, true, aborted);
                _room.Metrics.Delivered();
                afterId = message.Id;
            }

            if (page.Count < ReplayPage) return afterId;
        }
    }
}
