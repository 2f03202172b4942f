using Chat.Pipeline.Codecs;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Http;

/// <summary>
/// Writes one HTTP response into a pooled buffer and hands it to the connection's writer in request order, never
/// dropping one (how the writer queues an answer that does not fit: <see cref="ConnectionWriter.SendAnswerAsync"/>).
/// </summary>
internal static class HttpAnswer
{
    public static ReadOnlySpan<byte> TextPlain => "text/plain; charset=utf-8"u8;
    public static ReadOnlySpan<byte> Json => "application/json; charset=utf-8"u8;

    /// <summary>
    /// Answers the connection's oldest unanswered request: now if every earlier answer is queued and the queue has
    /// room, else after them. Closes the connection after the answer when <paramref name="keepAlive"/> is false.
    /// </summary>
    public static void Send(Session session, int status, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body,
        bool keepAlive, bool headOnly = false, ReadOnlySpan<byte> extraHeaders = default)
    {
        var buffer = Write(status, contentType, body, keepAlive, headOnly, extraHeaders, out var length);
        if (session.HttpAnswered.IsCompleted && TryQueueNow(session, buffer, length, keepAlive)) return;
        session.HttpAnswered = QueueAfterAsync(session.HttpAnswered, session, Task.FromResult((buffer, length, keepAlive)));
    }

    /// <summary>Sends a plain-text error answer (head only for HEAD, RFC 9110 section 9.3.2).</summary>
    public static void SendError(Session session, int status, string message, bool keepAlive, bool headOnly = false, ReadOnlySpan<byte> extraHeaders = default)
    {
        Span<byte> body = stackalloc byte[System.Text.Encoding.UTF8.GetMaxByteCount(message.Length) + 1];
        var n = System.Text.Encoding.UTF8.GetBytes(message, body);
        body[n++] = (byte)'\n';
        Send(session, status, TextPlain, body[..n], keepAlive, headOnly, extraHeaders);
    }

    /// <summary>Queues an answer being produced elsewhere (history, health) after the earlier answers, in order.</summary>
    public static void SendLater(Session session, Task<(SharedBuffer Buffer, int Length, bool KeepAlive)> produced)
    {
        session.HttpAnswered = QueueAfterAsync(session.HttpAnswered, session, produced);
    }

    public static SharedBuffer Write(int status, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body, bool keepAlive,
        bool headOnly, ReadOnlySpan<byte> extraHeaders, out int length)
    {
        var buffer = SharedBuffer.Rent(HttpResponseWriter.MaxHeadLength(contentType.Length, extraHeaders.Length) + (headOnly ? 0 : body.Length));
        var head = HttpResponseWriter.WriteHead(buffer.Span, status, contentType, body.Length, keepAlive, extraHeaders);
        length = head;
        if (!headOnly)
        {
            body.CopyTo(buffer.Span[head..]);
            length += body.Length;
        }
        return buffer;
    }

    private static bool TryQueueNow(Session session, SharedBuffer buffer, int length, bool keepAlive)
    {
        if (!session.Writer.TrySendAnswerNow(buffer, length)) return false;
        buffer.Release();
        Answered(session, keepAlive);
        return true;
    }

    private static async Task QueueAfterAsync(Task earlier, Session session, Task<(SharedBuffer Buffer, int Length, bool KeepAlive)> produced)
    {
        await earlier.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var (buffer, length, keepAlive) = await produced.ConfigureAwait(false);
        try
        {
            await session.Writer.SendAnswerAsync(buffer, length).ConfigureAwait(false);
        }
        finally
        {
            buffer.Release();
        }
        Answered(session, keepAlive);
    }

    private static void Answered(Session session, bool keepAlive)
    {
        if (!keepAlive) session.Writer.Close();
        session.Requests.Leave();
    }
}
