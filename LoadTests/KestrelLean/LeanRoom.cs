using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Chat.LoadTests.KestrelBaseline;

namespace Chat.LoadTests.KestrelLean;

/// <summary>
/// Every open socket and the one broadcast path: under one semaphore, the message is serialised once and awaited
/// into each socket in turn. The semaphore also serialises error frames, because a WebSocket allows one send at a time.
/// </summary>
internal sealed class LeanRoom
{
    private const int MaxMessageBytes = 64 * 1024;
    private const int MaxCommentChars = 4096;
    private const int MaxNameChars = 32;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<WebSocket, byte> _sockets = new();
    private long _lastId;
    private long _lastGuest;

    public async Task ServeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var name = AssignName(context.Request.Query["name"].ToString());
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        _sockets[socket] = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(MaxMessageBytes);
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == MaxMessageBytes)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, null, CancellationToken.None);
                        return;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length, MaxMessageBytes - length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                var request = Parse(buffer.AsSpan(0, length));
                if (request is { MessageType: "chatMessage", Comment.Length: >= 1 and <= MaxCommentChars })
                {
                    await BroadcastAsync(name, HtmlText.Escape(request.Comment));
                }
                else
                {
                    await SendAloneAsync(socket, "expected {\"messageType\": \"chatMessage\", \"comment\": \"1..4096 characters\"}");
                }
            }
        }
        catch (WebSocketException)
        {
            // The peer went away mid-frame: nothing to answer.
        }
        finally
        {
            _sockets.TryRemove(socket, out _);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static LeanRequest? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, LeanJsonContext.Default.LeanRequest);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task BroadcastAsync(string username, string comment)
    {
        await _gate.WaitAsync();
        try
        {
            var message = new LeanMessage("chatMessage", ++_lastId, username, comment,
                DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            var frame = JsonSerializer.SerializeToUtf8Bytes(message, LeanJsonContext.Default.LeanMessage);
            foreach (var (receiver, _) in _sockets) await TrySendAsync(receiver, frame);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SendAloneAsync(WebSocket socket, string error)
    {
        await _gate.WaitAsync();
        try
        {
            await TrySendAsync(socket, JsonSerializer.SerializeToUtf8Bytes(new LeanMessage("error", Error: error), LeanJsonContext.Default.LeanMessage));
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task TrySendAsync(WebSocket socket, byte[] frame)
    {
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
        {
            // A receiver that went away is removed by its own receive loop.
        }
    }

    private string AssignName(string requested)
    {
        var name = requested.Trim();
        return name.Length is >= 1 and <= MaxNameChars
            ? HtmlText.Escape(name)
            : "User" + Interlocked.Increment(ref _lastGuest).ToString(CultureInfo.InvariantCulture);
    }
}
