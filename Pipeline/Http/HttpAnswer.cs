using Chat.Pipeline.Codecs;
using Chat.Pipeline.Sessions;
using Chat.Reactor;

namespace Chat.Pipeline.Http;

/// <summary>Writes one HTTP response into a pooled buffer and queues it, keeping answers in request order.</summary>
internal static class HttpAnswer
{
    public static ReadOnlySpan<byte> TextPlain => "text/plain; charset=utf-8"u8;
    public static ReadOnlySpan<byte> Json => "application/json; charset=utf-8"u8;

    /// <summary>
    /// Sends now if every earlier answer on this connection was queued, else after them. Closes the connection after
    /// the answer when <paramref name="keepAlive"/> is false.
    /// </summary>
    public static void Send(Session session, int status, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body,
        bool keepAlive, bool headOnly = false, ReadOnlySpan<byte> extraHeaders = default)
    {
        var buffer = Write(status, contentType, body, keepAlive, headOnly, extraHeaders, out var length);
        if (session.HttpAnswered.IsCompleted) Queue(session.Connection, buffer, length, keepAlive);
        else session.HttpAnswered = QueueAfterAsync(session.HttpAnswered, session.Connection, buffer, length, keepAlive);
    }

    /// <summary>Sends a plain-text error answer; errors on requests we cannot continue after close the connection.</summary>
    public static void SendError(Session session, int status, string message, bool keepAlive, ReadOnlySpan<byte> extraHeaders = default)
    {
        Span<byte> body = stackalloc byte[System.Text.Encoding.UTF8.GetMaxByteCount(message.Length) + 1];
        var n = System.Text.Encoding.UTF8.GetBytes(message, body);
        body[n++] = (byte)'\n';
        Send(session, status, TextPlain, body[..n], keepAlive, false, extraHeaders);
    }

    /// <summary>Runs an answer that needs I/O (history, health) after the earlier answers, in order.</summary>
    public static void SendLater(Session session, Func<Task<(SharedBuffer Buffer, int Length, bool KeepAlive)>> produce)
    {
        session.HttpAnswered = ProduceAfterAsync(session.HttpAnswered, session.Connection, produce);
    }

    public static SharedBuffer Write(int status, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body, bool keepAlive,
        bool headOnly, ReadOnlySpan<byte> extraHeaders, out int length)
    {
        var buffer = SharedBuffer.Rent(HttpResponseWriter.MaxHeadLength(contentType.Length, extraHeaders.Length) + body.Length);
        var head = HttpResponseWriter.WriteHead(buffer.Span, status, contentType, body.Length, keepAlive, extraHeaders);
        length = head;
        if (!headOnly)
        {
            body.CopyTo(buffer.Span[head..]);
            length += body.Length;
        }
        return buffer;
    }

    private static void Queue(Connection connection, SharedBuffer buffer, int length, bool keepAlive)
    {
        if (keepAlive) connection.Send(buffer, 0, length);
        else connection.Close(buffer, 0, length);
        buffer.Release();
    }

    private static async Task QueueAfterAsync(Task earlier, Connection connection, SharedBuffer buffer, int length, bool keepAlive)
    {
        await earlier.ConfigureAwait(false);
        Queue(connection, buffer, length, keepAlive);
    }

    private static async Task ProduceAfterAsync(Task earlier, Connection connection, Func<Task<(SharedBuffer Buffer, int Length, bool KeepAlive)>> produce)
    {
        var answer = produce();
        await earlier.ConfigureAwait(false);
        var (buffer, length, keepAlive) = await answer.ConfigureAwait(false);
        Queue(connection, buffer, length, keepAlive);
    }
}
