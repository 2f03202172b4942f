using System.Threading.Channels;
using Chat.Pipeline.Cluster;
using Chat.Pipeline.Http;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Presence;
using Chat.Pipeline.Replay;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Pipeline.Tls;
using Chat.Reactor;
using Chat.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline;

/// <summary>
/// The eight stages and the bounded channels between them:
/// reactor → parse header → handshake → deframe → unmask → escape → encode → persist → broadcast → reactor.
/// With TLS, a decrypt stage comes first and every send is encrypted on its way to the reactor.
/// Each stage is one long-running worker; a full channel makes its writer wait, which reaches back to the reads.
/// </summary>
public sealed partial class ChatPipeline
{
    private readonly PipelineOptions _options;
    private readonly IMessageStore _store;
    private readonly ILogger _logger;
    private readonly ServerMetrics _metrics = new();
    private readonly SessionRegistry _sessions;
    private readonly StoreHealth _health;
    private readonly RoomDirectory _rooms;
    private readonly Channel<TransportEvent> _received;
    /// <summary>Ciphertext events from the reactor, when TLS is on.</summary>
    private readonly Channel<TransportEvent>? _ciphertext;
    private readonly Channel<RequestItem> _requests;
    private readonly Channel<WireItem> _wire;
    private readonly Channel<FrameItem> _frames;
    private readonly Channel<MessageItem> _messages;
    private readonly Channel<MessageItem> _chats;
    private readonly Channel<MessageItem> _encoded;
    private readonly Channel<BroadcastItem> _committed;
    private readonly BroadcastStage _broadcast;
    /// <summary>Every stage in pipeline order; the one list that start, drain and metrics read.</summary>
    private readonly List<StageEntry> _stages;
    private readonly KeepAliveSweeper _sweeper;
    private readonly HistoryReader _history;
    private readonly ClusterFeed? _cluster;
    private readonly PresenceSync? _presence;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task[] _running = [];
    private Func<int> _connectionCount = static () => 0;
    private Func<long> _refusedCount = static () => 0;

    /// <param name="commitFeed">Set when other nodes may share the store: their commits are read and delivered here.</param>
    /// <param name="tls">Set to speak TLS: connections are decrypted before parse-header and encrypted on the way out.</param>
    /// <param name="presenceStore">Set when other nodes may share the store: presence is the union of every node's.</param>
    public ChatPipeline(PipelineOptions options, IMessageStore store, StaticFiles files, ILoggerFactory loggers,
        int maxConnections = 0, int maxConnectionsPerAddress = 0, ICommitFeed? commitFeed = null, TlsCredentials? tls = null,
        IPresenceStore? presenceStore = null)
    {
        options.Validate();
        _options = options;
        _store = store;
        _logger = loggers.CreateLogger<ChatPipeline>();
        _sessions = new SessionRegistry(maxConnections, maxConnectionsPerAddress);
        _health = new StoreHealth(store);
        _rooms = new RoomDirectory(options);

        _received = Bounded<TransportEvent>(singleWriter: false);
        _requests = Bounded<RequestItem>();
        _wire = Bounded<WireItem>();
        _frames = Bounded<FrameItem>();
        _messages = Bounded<MessageItem>();
        _chats = Bounded<MessageItem>();
        _encoded = Bounded<MessageItem>();
        _committed = Bounded<BroadcastItem>(singleWriter: false);

        var batches = PersistBatch.Pool(options.MaxRooms);
        var faults = new ConnectionFaults(_metrics, _logger);
        _history = new HistoryReader(store, options.HistoryReaders, options.HistoryQueue);
        var responder = new HttpResponder(files, _history, _health, _rooms, RenderMetrics);
        var replayer = new Replayer(store, _committed.Writer, options.ReplayDrainTimeout, _metrics, _logger, faults);
        var joins = new JoinChannel(_committed.Writer);
        _broadcast = new BroadcastStage(_committed.Reader, joins, batches, replayer, _rooms, options, _metrics, faults);
        var abuse = new AbuseReport(_logger, options.AbuseReportPeriod);
        _sweeper = new KeepAliveSweeper(_sessions, options, abuse);
        if (commitFeed is not null)
        {
            _cluster = new ClusterFeed(store, commitFeed, _rooms, _committed.Writer, _metrics, _logger);
            _broadcast.Cluster = _cluster;
        }
        if (presenceStore is not null)
        {
            _presence = new PresenceSync(presenceStore, _logger);
            _broadcast.Sync = _presence;
            _cluster?.PresenceSync = _presence;
        }
        _stages =
        [
            Stage("parse-header", _received, new ParseHeaderStage(_received.Reader, _requests.Writer, _sessions, options, _metrics, _logger, faults).RunAsync),
            Stage("handshake", _requests, new HandshakeStage(_requests.Reader, _wire.Writer, joins, responder, new UsernameAssigner(), options, _metrics, _rooms, abuse, faults).RunAsync),
            Stage("deframe", _wire, new DeframeStage(_wire.Reader, _frames.Writer, options, faults).RunAsync),
            Stage("unmask", _frames, new UnmaskStage(_frames.Reader, _messages.Writer, options, _metrics, abuse, faults).RunAsync),
            Stage("escape", _messages, new EscapeStage(_messages.Reader, _chats.Writer, options, _metrics, abuse, faults).RunAsync),
            Stage("encode", _chats, new EncodeStage(_chats.Reader, _encoded.Writer, options, faults).RunAsync),
            Stage("persist", _encoded, new PersistStage(_encoded.Reader, _committed.Writer, store, batches, _health, options, _metrics, _logger, _rooms.General, _stopping.Token).RunAsync),
            // The joins wait in front of broadcast too: drain and the queue-depth metric count them.
            new StageEntry("broadcast", () => _committed.Reader.Count + joins.Count, _broadcast.RunAsync),
        ];
        if (tls is not null)
        {
            _ciphertext = Bounded<TransportEvent>(singleWriter: false);
            _stages.Insert(0, Stage("decrypt", _ciphertext, new DecryptStage(_ciphertext.Reader, _received.Writer, tls, loggers.CreateLogger<TlsSession>()).RunAsync));
        }
    }

    /// <summary>Where the reactor writes what it receives. The transport completes it when it is disposed.</summary>
    public ChannelWriter<TransportEvent> Input => (_ciphertext ?? _received).Writer;

    /// <summary>Completes with the exception of a stage that failed: the server cannot go on and should exit.</summary>
    public Task Faulted => _faulted.Task;

    /// <summary>Lets /metrics report the transport's open connections and those it refused at the door.</summary>
    public void ReportConnectionsFrom(Func<int> connectionCount, Func<long>? refusedCount = null)
    {
        _connectionCount = connectionCount;
        if (refusedCount is not null) _refusedCount = refusedCount;
    }

    /// <summary>Learns the stored rooms and their last ids (so that replay and live meet), then starts every stage and the sweeper.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _rooms.Seed(await _store.ReadRoomsAsync(cancellationToken).ConfigureAwait(false));
        var running = new List<Task>(_stages.Count + 1);
        foreach (var stage in _stages) running.Add(Supervise(stage.Name, stage.Run));
        running.Add(_sweeper.RunAsync(_stopping.Token));
        running.Add(PresenceClock.RunAsync(_committed.Writer, _stopping.Token));
        if (_cluster is not null) running.Add(Supervise("cluster-feed", () => _cluster.RunAsync(_stopping.Token)));
        if (_presence is not null) running.Add(Supervise("presence-sync", () => _presence.RunAsync(_stopping.Token)));
        _running = [.. running];
    }

    private async Task Supervise(string name, Func<Task> run)
    {
        try
        {
            await Task.Run(run).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            PipelineLog.StageFailed(_logger, name, e);
            _faulted.TrySetException(e);
        }
    }

    private static StageEntry Stage<T>(string name, Channel<T> inbound, Func<Task> run) => new(name, () => inbound.Reader.Count, run);

    private Channel<T> Bounded<T>(bool singleWriter = true) => Channel.CreateBounded<T>(new BoundedChannelOptions(_options.StageCapacity)
    {
        SingleReader = true,
        SingleWriter = singleWriter,
        FullMode = BoundedChannelFullMode.Wait,
        AllowSynchronousContinuations = false,
    });
}
