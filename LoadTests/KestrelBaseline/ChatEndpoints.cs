using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>The routes of PROTOCOL.md the load tests use, as minimal API endpoints.</summary>
internal static class ChatEndpoints
{
    private const int DefaultHistoryLimit = 100;
    private const int MaxHistoryLimit = 1000;

    public static void Map(WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.MapGet("/websocket", WebSocketAsync);
        app.MapGet("/chat-history", HistoryAsync);
        app.MapGet("/healthz", async (ChatRoom room, CancellationToken aborted) =>
            await room.Store.PingAsync(aborted) ? Results.Text("ok") : Results.Text("store unavailable", statusCode: 503));
        app.MapGet("/metrics", (ChatRoom room) =>
            Results.Text(room.Metrics.ToPrometheusText(), "text/plain; version=0.0.4; charset=utf-8"));
    }

    private static async Task WebSocketAsync(HttpContext context, ChatRoom room, ILogger<ChatConnection> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            if (context.Request.Headers.SecWebSocketVersion is { Count: > 0 } version && version != "13")
            {
                context.Response.Headers.SecWebSocketVersion = "13";
                await Results.Text("unsupported Sec-WebSocket-Version", statusCode: 426).ExecuteAsync(context);
                return;
            }

            await BadRequest("expected a WebSocket upgrade").ExecuteAsync(context);
            return;
        }

        long? since = null;
        if (context.Request.Query.TryGetValue("since", out var sinceText))
        {
            if (!TryParseCount(sinceText, out var after))
            {
                await BadRequest("since must be a non-negative integer").ExecuteAsync(context);
                return;
            }

            since = after;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new ChatConnection(socket, room.AssignName(context.Request.Query["name"]), room, logger);
        room.Join(connection);
        try
        {
            await connection.RunAsync(since, context.RequestAborted);
        }
        finally
        {
            room.Leave(connection);
        }
    }

    private static async Task<IResult> HistoryAsync(HttpContext context, ChatRoom room, CancellationToken aborted)
    {
        var query = context.Request.Query;
        long limit = DefaultHistoryLimit;
        if (query.TryGetValue("limit", out var limitText) && !TryParseCount(limitText, out limit))
        {
            return BadRequest("limit must be a non-negative integer");
        }

        var count = (int)Math.Min(limit, MaxHistoryLimit);
        IReadOnlyList<ChatMessage> messages;
        if (query.TryGetValue("since", out var sinceText))
        {
            if (!TryParseCount(sinceText, out var since)) return BadRequest("since must be a non-negative integer");
            messages = await room.Store.ReadAfterAsync(since, count, aborted);
        }
        else
        {
            messages = await room.Store.ReadLatestAsync(count, aborted);
        }

        // Serialized whole rather than streamed, so the answer carries a Content-Length as PROTOCOL.md asks.
        var json = JsonSerializer.SerializeToUtf8Bytes(messages.Select(ChatJson.ToFrame).ToArray(), ChatJson.Context.ChatFrameJsonArray);
        return Results.Bytes(json, "application/json; charset=utf-8");
    }

    private static IResult BadRequest(string reason) => Results.Text(reason, statusCode: StatusCodes.Status400BadRequest);

    private static bool TryParseCount(StringValues text, out long value) =>
        long.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
