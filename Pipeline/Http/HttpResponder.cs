using System.Text;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Reactor;
using Chat.Storage;

namespace Chat.Pipeline.Http;

/// <summary>Answers plain HTTP requests: the page and its files, /chat-history, /rooms, /healthz, /metrics, 404 and 405.</summary>
internal sealed class HttpResponder(StaticFiles files, IMessageStore store, StoreHealth health, RoomDirectory rooms, Func<string> renderMetrics)
{
    public const int DefaultHistoryLimit = 100;
    public const int MaxHistoryLimit = 1000;
    private static readonly TimeSpan HistoryTimeout = TimeSpan.FromSeconds(5);

    private static ReadOnlySpan<byte> HistoryPath => "/chat-history"u8;
    private static ReadOnlySpan<byte> HealthPath => "/healthz"u8;
    private static ReadOnlySpan<byte> RoomsPath => "/rooms"u8;
    private static ReadOnlySpan<byte> PresencePath => "/presence"u8;
    private static ReadOnlySpan<byte> MetricsPath => "/metrics"u8;
    private static ReadOnlySpan<byte> AllowGetHead => "Allow: GET, HEAD\r\n"u8;
    private static ReadOnlySpan<byte> NoCache => "Cache-Control: no-cache\r\n"u8;
    private static ReadOnlySpan<byte> PrometheusType => "text/plain; version=0.0.4; charset=utf-8"u8;

    /// <param name="keepAlive">False when the connection closes after this answer (decided when the head was parsed).</param>
    public void Answer(Session session, ReadOnlySpan<byte> head, in HttpRequestHead request, bool keepAlive)
    {
        var path = head[request.Path];
        var known = path.SequenceEqual(HistoryPath) || path.SequenceEqual(HealthPath) || path.SequenceEqual(MetricsPath)
            || path.SequenceEqual(RoomsPath) || path.SequenceEqual(PresencePath);
        files.TryGet(path, out var file);
        if (!known && file is null)
        {
            HttpAnswer.SendError(session, 404, "not found", keepAlive);
            return;
        }
        if (request.Method is not (HttpMethod.Get or HttpMethod.Head))
        {
            HttpAnswer.SendError(session, 405, "method not allowed", keepAlive, AllowGetHead);
            return;
        }
        var headOnly = request.Method == HttpMethod.Head;
        if (file is not null) HttpAnswer.Send(session, 200, file.ContentType, file.Body, keepAlive, headOnly, NoCache);
        else if (path.SequenceEqual(HistoryPath)) History(session, head[request.Query], keepAlive, headOnly);
        else if (path.SequenceEqual(HealthPath)) Health(session, keepAlive, headOnly);
        else if (path.SequenceEqual(RoomsPath)) RoomsAnswer.Send(session, store, rooms, keepAlive, headOnly);
        else if (path.SequenceEqual(PresencePath)) PresenceAnswer.Send(session, head[request.Query], rooms, keepAlive, headOnly);
        else HttpAnswer.Send(session, 200, PrometheusType, Encoding.UTF8.GetBytes(renderMetrics()), keepAlive, headOnly, NoCache);
    }

    private void History(Session session, ReadOnlySpan<byte> query, bool keepAlive, bool headOnly)
    {
        long since = -1;
        if (QueryString.Has(query, "since"u8) && (!QueryString.TryGetInt64(query, "since"u8, out since) || since < 0))
        {
            HttpAnswer.SendError(session, 400, "since must be a non-negative integer", keepAlive);
            return;
        }
        long limit = DefaultHistoryLimit;
        if (QueryString.Has(query, "limit"u8) && (!QueryString.TryGetInt64(query, "limit"u8, out limit) || limit < 1))
        {
            HttpAnswer.SendError(session, 400, "limit must be a positive integer", keepAlive);
            return;
        }
        if (!RoomQuery.TryGet(query, out var room))
        {
            HttpAnswer.SendError(session, 400, RoomQuery.Rule, keepAlive);
            return;
        }
        var capped = (int)Math.Min(limit, MaxHistoryLimit);
        HttpAnswer.SendLater(session, async () =>
        {
            using var timeout = new CancellationTokenSource(HistoryTimeout);
            try
            {
                var messages = since < 0
                    ? await store.ReadLatestAsync(room, capped, timeout.Token).ConfigureAwait(false)
                    : await store.ReadAfterAsync(room, since, capped, timeout.Token).ConfigureAwait(false);
                var body = HistoryJson.Write(room, messages);
                var buffer = HttpAnswer.Write(200, HttpAnswer.Json, body.WrittenSpan, keepAlive, headOnly, NoCache, out var length);
                return (buffer, length, keepAlive);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var buffer = HttpAnswer.Write(503, HttpAnswer.TextPlain, "history unavailable: the store does not answer\n"u8, keepAlive, headOnly, default, out var length);
                return (buffer, length, keepAlive);
            }
        });
    }

    private void Health(Session session, bool keepAlive, bool headOnly)
    {
        HttpAnswer.SendLater(session, async () =>
        {
            var healthy = await health.CheckAsync().ConfigureAwait(false);
            SharedBuffer buffer;
            int length;
            if (healthy) buffer = HttpAnswer.Write(200, HttpAnswer.TextPlain, "ok\n"u8, keepAlive, headOnly, NoCache, out length);
            else buffer = HttpAnswer.Write(503, HttpAnswer.TextPlain, "unavailable\n"u8, keepAlive, headOnly, NoCache, out length);
            return (buffer, length, keepAlive);
        });
    }
}
