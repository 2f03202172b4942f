using System.Text;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Http;

/// <summary>
/// Answers plain HTTP requests: the page and its files, /chat-history, /rooms, /presence, /healthz, /metrics, 404 and
/// 405. History and rooms reads and their JSON run on the history reader, health pings on the pool, never on the
/// calling stage worker.
/// </summary>
internal sealed class HttpResponder(StaticFiles files, HistoryReader history, StoreHealth health, RoomDirectory rooms, Func<string> renderMetrics)
{
    public const int DefaultHistoryLimit = 100;
    public const int MaxHistoryLimit = 1000;

    private static ReadOnlySpan<byte> HistoryPath => "/chat-history"u8;
    private static ReadOnlySpan<byte> HealthPath => "/healthz"u8;
    private static ReadOnlySpan<byte> RoomsPath => "/rooms"u8;
    private static ReadOnlySpan<byte> PresencePath => "/presence"u8;
    private static ReadOnlySpan<byte> MetricsPath => "/metrics"u8;
    private static ReadOnlySpan<byte> AllowGetHead => "Allow: GET, HEAD\r\n"u8;
    private static ReadOnlySpan<byte> NoCache => "Cache-Control: no-cache\r\n"u8;
    private static ReadOnlySpan<byte> RetryAfter => "Retry-After: 1\r\n"u8;
    private static ReadOnlySpan<byte> PrometheusType => "text/plain; version=0.0.4; charset=utf-8"u8;
    private static ReadOnlySpan<byte> HtmlType => "text/html; charset=utf-8"u8;

    /// <param name="keepAlive">False when the connection closes after this answer (decided when the head was parsed).</param>
    public void Answer(Session session, ReadOnlySpan<byte> head, in HttpRequestHead request, bool keepAlive)
    {
        var path = head[request.Path];
        var headOnly = request.Method == HttpMethod.Head;
        var known = path.SequenceEqual(HistoryPath) || path.SequenceEqual(HealthPath) || path.SequenceEqual(MetricsPath)
            || path.SequenceEqual(RoomsPath) || path.SequenceEqual(PresencePath);
        files.TryGet(path, out var file);
        if (!known && file is null)
        {
            HttpAnswer.SendError(session, 404, "not found", keepAlive, headOnly);
            return;
        }
        if (request.Method is not (HttpMethod.Get or HttpMethod.Head))
        {
            HttpAnswer.SendError(session, 405, "method not allowed", keepAlive, headOnly: false, AllowGetHead);
            return;
        }
        if (file is not null)
        {
            var headers = file.ContentType.AsSpan().SequenceEqual(HtmlType) ? PageHeaders.Html : NoCache;
            HttpAnswer.Send(session, 200, file.ContentType, file.Body, keepAlive, headOnly, headers);
        }
        else if (path.SequenceEqual(HistoryPath)) History(session, head[request.Query], keepAlive, headOnly);
        else if (path.SequenceEqual(HealthPath)) HttpAnswer.SendLater(session, HealthAsync(keepAlive, headOnly));
        else if (path.SequenceEqual(RoomsPath)) RoomsAnswer.Send(session, history, rooms, keepAlive, headOnly);
        else if (path.SequenceEqual(PresencePath)) PresenceAnswer.Send(session, head[request.Query], rooms, keepAlive, headOnly);
        else HttpAnswer.Send(session, 200, PrometheusType, Encoding.UTF8.GetBytes(renderMetrics()), keepAlive, headOnly, NoCache);
    }

    private void History(Session session, ReadOnlySpan<byte> query, bool keepAlive, bool headOnly)
    {
        if (!SinceQuery.TryGet(query, out var since))
        {
            HttpAnswer.SendError(session, 400, SinceQuery.Rule, keepAlive, headOnly);
            return;
        }
        long limit = DefaultHistoryLimit;
        if (QueryString.Has(query, "limit"u8) && (!QueryString.TryGetInt64(query, "limit"u8, out limit) || limit < 1))
        {
            HttpAnswer.SendError(session, 400, "limit must be a positive integer", keepAlive, headOnly);
            return;
        }
        if (!RoomQuery.TryGet(query, out var room))
        {
            HttpAnswer.SendError(session, 400, RoomQuery.Rule, keepAlive, headOnly);
            return;
        }
        var answer = history.TryRead(room, since, (int)Math.Min(limit, MaxHistoryLimit), keepAlive, headOnly);
        if (answer is null)
        {
            HttpAnswer.SendError(session, 503, "history busy: too many reads queued, retry", keepAlive, headOnly, RetryAfter);
            return;
        }
        HttpAnswer.SendLater(session, answer);
    }

    private async Task<(SharedBuffer, int, bool)> HealthAsync(bool keepAlive, bool headOnly)
    {
        // A ping of the embedded store runs synchronously: off the stage worker that called us.
        await Task.Yield();
        var healthy = await health.CheckAsync().ConfigureAwait(false);
        int length;
        var buffer = healthy
            ? HttpAnswer.Write(200, HttpAnswer.TextPlain, "ok\n"u8, keepAlive, headOnly, NoCache, out length)
            : HttpAnswer.Write(503, HttpAnswer.TextPlain, "unavailable\n"u8, keepAlive, headOnly, NoCache, out length);
        return (buffer, length, keepAlive);
    }
}
