using Chat.Pipeline.Http;
using Chat.Reactor;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// HTTP answers are never dropped or reordered (issue 19): one waits for the queue to drain before it goes on it, and
/// one larger than the queue may hold leaves in pieces. Only a connection whose queue cannot take even a small piece
/// after draining is closed; a later answer is never sent in an earlier one's place. Their order among themselves is
/// <see cref="HttpAnswer"/>'s (<see cref="Session.HttpAnswered"/>).
/// </summary>
internal sealed partial class ConnectionWriter
{
    /// <summary>The smallest piece an answer is cut into; the reactor's high-water mark is at least twice this.</summary>
    private const int MinPiece = 1024;

    /// <summary>
    /// The common case: the queue is below half its mark and takes the whole answer at once. False when the answer
    /// must wait for a drain instead (<see cref="SendAnswerAsync"/>); nothing was queued then.
    /// </summary>
    public bool TrySendAnswerNow(SharedBuffer answer, int length) =>
        _connection.WhenDrainedAsync().IsCompleted && _connection.Send(answer, 0, length) != SendResult.Dropped;

    /// <summary>
    /// Each piece waits for the queue to drain to half its mark. A piece the queue still refuses is halved; when even
    /// <see cref="MinPiece"/> is refused after a drain, this connection cannot be answered in order: it is closed.
    /// </summary>
    public async Task SendAnswerAsync(SharedBuffer answer, int length)
    {
        var offset = 0;
        var piece = length;
        while (offset < length)
        {
            await _connection.WhenDrainedAsync().ConfigureAwait(false);
            var count = Math.Min(piece, length - offset);
            switch (_connection.Send(answer, offset, count))
            {
                case SendResult.Closed:
                    return;
                case SendResult.Dropped when count <= MinPiece:
                    CloseOnce(null, 0, discardQueued: true, status: 0, "an answer could not be queued after a drain");
                    return;
                case SendResult.Dropped:
                    piece = Math.Max(MinPiece, count / 2);
                    break;
                default:
                    offset += count;
                    break;
            }
        }
    }

    /// <summary>
    /// The 101, queued at once behind the answers before it, so that every frame after it follows it. A queue that
    /// cannot take it (the client left earlier answers unread) closes the connection as an answer refused after a
    /// drain does: frames without their 101 would be garbage to the client.
    /// </summary>
    public void SendSwitchingProtocols(SharedBuffer answer, int length)
    {
        if (_connection.Send(answer, 0, length) == SendResult.Dropped) CloseOnce(null, 0, discardQueued: true, status: 101, "the 101 could not be queued");
    }

    /// <summary>Closes an HTTP connection after the answers queued on it.</summary>
    public void Close() => CloseOnce(null, 0, discardQueued: false, status: 0, "no more requests on this connection");

    /// <summary>
    /// The last answer of an HTTP connection that is being closed (408 for a head that never came, 500 for a request
    /// that failed), queued after the answers before it; then the close.
    /// </summary>
    public void CloseWithAnswer(int status, ReadOnlySpan<byte> text)
    {
        if (_connection.IsClosing) return;
        var answer = HttpAnswer.Write(status, HttpAnswer.TextPlain, text, keepAlive: false, headOnly: false, default, out var length);
        CloseOnce(answer, length, discardQueued: false, status, "closed with its last answer");
        answer.Release();
    }

    /// <summary>A connection that failed before the pipeline made its session: nothing was sent on it, nothing is said.</summary>
    public static void CloseWithoutSession(Connection connection) => connection.Close();
}
