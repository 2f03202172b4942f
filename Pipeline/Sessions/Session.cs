using Chat.Pipeline.Codecs;
using Chat.Pipeline.Metrics;
using Chat.Reactor;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// One connection as the pipeline knows it: its id and connection, one slot per stage for that stage's own state
/// (created, read, written and dropped by that stage alone, on its worker), the <see cref="Sessions.Member"/> the
/// handshake makes before it posts the join, the few signals that cross threads, each its own thread-safe type, and the writer through
/// which everything sent to the connection leaves.
/// </summary>
internal sealed class Session
{
    /// <param name="metrics">Where the writer counts a dropped slow consumer; null only for a session a test builds by hand.</param>
    /// <param name="logger">Where the writer logs its closes; null only for a session a test builds by hand.</param>
    public Session(Connection connection, long openedTimestamp, int maxPipelinedRequests = PipelineOptions.DefaultMaxPipelinedRequests,
        ServerMetrics? metrics = null, ILogger? logger = null)
    {
        Connection = connection;
        Writer = new ConnectionWriter(this, metrics ?? new ServerMetrics(), logger ?? NullLogger.Instance);
        Progress = new ConnectionProgress(openedTimestamp);
        Requests = new RequestsInFlight(connection, maxPipelinedRequests);
        Pending = new PendingMessages(connection);
    }

    /// <summary>
    /// Read for its state (closing, activity, address) and to pause reads; every byte and every close goes through
    /// <see cref="Writer"/> instead.
    /// </summary>
    public Connection Connection { get; }

    /// <summary>The one way out to the socket: frames, HTTP answers and closes, in order.</summary>
    public ConnectionWriter Writer { get; }

    public long Id => Connection.Id;

    // --- each stage's own state: the stage's file alone creates, reads, writes and drops it ---
    public ParseHeaderState? ParseHeader;
    /// <summary>Only while an upgrade waits for earlier answers.</summary>
    public HandshakeState? Handshake;
    public DeframeState? Deframe;
    public UnmaskState? Unmask;
    public EscapeState? Escape;
    public BroadcastState? Broadcast;
    public KeepAliveState? KeepAlive;

    /// <summary>Who the connection is as a chat member; null until the handshake upgraded it.</summary>
    public Member? Member;

    // --- signals across threads ---
    /// <summary>Mode, head deadline and upgrade, for the sweeper and the shutdown.</summary>
    public ConnectionProgress Progress { get; }
    /// <summary>HTTP requests read and not yet answered (parse enters, answers leave).</summary>
    public RequestsInFlight Requests { get; }
    /// <summary>Chat messages of this connection inside the pipeline (escape adds, broadcast removes).</summary>
    public PendingMessages Pending { get; }
    /// <summary>
    /// Completes when the last HTTP answer on this connection was queued (keeps answers in request order). Chained by
    /// the handshake worker; awaited by the sweeper, the handshake and a failed request's 500.
    /// </summary>
    public Task HttpAnswered = Task.CompletedTask;
}
