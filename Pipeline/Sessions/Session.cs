using Chat.Pipeline.Codecs;
using Chat.Reactor;

namespace Chat.Pipeline.Sessions;

/// <summary>
/// The pipeline's state for one connection. Each group of fields belongs to one stage and is touched only by that
/// stage's worker; items flow through the channels in order, so a stage sees what earlier stages wrote.
/// Fields shared across threads say so.
/// </summary>
internal sealed class Session
{
    public Session(Connection connection, long openedTimestamp, int maxPipelinedRequests = PipelineOptions.DefaultMaxPipelinedRequests)
    {
        Connection = connection;
        AwaitingHeadSince = openedTimestamp;
        Requests = new RequestsInFlight(connection, maxPipelinedRequests);
    }

    public Connection Connection { get; }

    public long Id => Connection.Id;

    // --- parse header stage ---
    public SessionMode Mode;
    public byte[]? HeadBuffer;
    public int HeadLength;
    public HeadTerminatorScanner HeadScanner;
    /// <summary>Stopwatch timestamp since which a head is awaited (read by the keep-alive sweeper).</summary>
    public long AwaitingHeadSince;
    /// <summary>The request being rejected said HEAD: its error answer gets the head only.</summary>
    public bool RejectingHead;

    // --- handshake stage ---
    /// <summary>Completes when the last HTTP answer on this connection was queued (keeps answers in request order).</summary>
    public Task HttpAnswered = Task.CompletedTask;
    /// <summary>
    /// An upgrade pipelined behind answers still being produced, and every item of this connection after it, held
    /// until those answers are queued (the 101 and the frames after it must follow them); null when nothing waits.
    /// </summary>
    public Queue<Items.RequestItem>? Deferred;
    /// <summary>The 101 answer was queued: the connection speaks WebSocket from here on.</summary>
    public bool Upgraded;
    /// <summary>Set by the handshake stage before the join item leaves it; read-only afterwards.</summary>
    public string Username = "";
    public byte[] UsernameEscaped = [];
    /// <summary>The room named at the handshake (set before the join item leaves it); null before an upgrade.</summary>
    public Rooms.Room? Room;
    /// <summary>presence=1 at the handshake: the connection gets presence frames.</summary>
    public bool WantsPresence;
    /// <summary>permessage-deflate as negotiated at the handshake (set before the join item leaves it; read-only afterwards).</summary>
    public PerMessageDeflateAgreement Deflate;

    // --- deframe stage ---
    public FrameDecoder Decoder;

    // --- unmask stage ---
    public Utf8Validator Utf8;
    public byte[]? Assembly;
    public int AssemblyLength;
    public bool MessageIsBinary;
    /// <summary>The message being assembled had RSV1 on its first frame: it is inflated once complete.</summary>
    public bool MessageCompressed;
    public readonly byte[] Control = new byte[125];
    public int ControlLength;
    /// <summary>A close frame was received or sent: later frames are ignored.</summary>
    public bool WebSocketClosed;
    /// <summary>A close is on its way down the pipeline behind this connection's messages: no second one.</summary>
    public bool ClosePending;
    /// <summary>Budget of pings, pongs and empty continuations per second.</summary>
    public TokenBucket ControlRate;

    // --- escape stage ---
    public TokenBucket Rate;
    /// <summary>Messages refused in a row for the rate limit.</summary>
    public int RateStrikes;
    /// <summary>The rate limit's close is on its way behind the accepted messages: later messages are dropped.</summary>
    public bool RateClosed;

    // --- broadcast stage ---
    public BroadcastState Broadcast;
    public int LiveIndex = -1;
    /// <summary>Highest message id queued to this connection.</summary>
    public long Cursor;
    /// <summary>The escaped name this connection counts under in its room's presence, once it joined.</summary>
    public string? PresentAs;

    // --- keep-alive sweeper ---
    /// <summary>Stopwatch timestamp of the last ping sent for silence.</summary>
    public long PingedAt;

    // --- shared ---
    /// <summary>HTTP requests read and not yet answered (parse enters, answers leave).</summary>
    public RequestsInFlight Requests { get; }
    /// <summary>Chat messages of this connection inside the pipeline (Interlocked; escape adds, broadcast removes).</summary>
    public int PendingMessages;
    /// <summary>1 while reading is paused for too many pending messages (Interlocked).</summary>
    public int ReadPaused;
}
