using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using Chat.Pipeline;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Metrics;
using Chat.Pipeline.Rooms;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Reactor;
using Chat.Storage;
using Chat.UnitTests.Pipeline.Codecs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>
/// One stage at a time, the way Netty tests a handler through an embedded channel: the case writes hand-built items to
/// the stage's inbound channel, completes it, and reads everything the stage wrote to its outbound channel until the
/// stage completes that too; no sleeps, no other stage. Where a stage talks to a connection (pongs, error frames,
/// closes, broadcasts) the connection is a real one: the reactor's end of a loopback TCP connection whose other end
/// is a <see cref="RawClient"/>, so the case reads what the stage sent as a client would.
/// </summary>
internal sealed class StageHarness : IAsyncDisposable
{
    public static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    /// <summary><see cref="ClientFrame.DefaultMask"/> as a frame header carries it (first wire byte lowest).</summary>
    public static readonly uint MaskKey = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(ClientFrame.DefaultMask);

    private readonly Channel<TransportEvent> _events = Channel.CreateUnbounded<TransportEvent>();
    private readonly ITransport _transport;
    private readonly List<RawClient> _peers = [];

    public StageHarness(PipelineOptions? options = null)
    {
        Options = options ?? new PipelineOptions();
        Rooms = new RoomDirectory(Options);
        Faults = new ConnectionFaults(Metrics, NullLogger.Instance);
        _transport = TransportFactory.Bind(new IPEndPoint(IPAddress.Loopback, 0), new ReactorOptions { Backend = ReactorBackend.Sockets },
            _events.Writer, NullLoggerFactory.Instance);
        _transport.Start();
    }

    public PipelineOptions Options { get; }

    public ServerMetrics Metrics { get; } = new();

    public RoomDirectory Rooms { get; }

    public ConnectionFaults Faults { get; }

    public AbuseReport Abuse { get; } = new(NullLogger.Instance);

    /// <summary>A fresh channel between the case and the stage.</summary>
    public static Channel<T> NewChannel<T>() => Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>A real connection as the reactor hands it to the pipeline, and the client at its other end.</summary>
    public async Task<(Connection Connection, RawClient Peer)> ConnectAsync()
    {
        var peer = await RawClient.ConnectAsync(_transport.LocalEndPoint);
        _peers.Add(peer);
        using var deadline = new CancellationTokenSource(Within);
        // Events of other connections (a peer's bytes or FIN) may come first: the case drives the stage by hand.
        while (true)
        {
            var ev = await _events.Reader.ReadAsync(deadline.Token);
            if (ev.Kind == TransportEventKind.Opened) return (ev.Connection, peer);
            if (ev.Buffer is not null) BufferPool.Shared.Return(ev.Buffer);
        }
    }

    /// <summary>
    /// A session as the handshake stage leaves it for the data stages: upgraded, named, in <paramref name="room"/>
    /// (default the general room).
    /// </summary>
    public async Task<(Session Session, RawClient Peer)> UpgradedSessionAsync(string username = "alice", string? room = null, bool wantsPresence = false)
    {
        var (connection, peer) = await ConnectAsync();
        var session = new Session(connection, Stopwatch.GetTimestamp(), PipelineOptions.DefaultMaxPipelinedRequests, Metrics)
        {
            Member = new Member(username, System.Text.Encoding.UTF8.GetBytes(username), room is null ? Rooms.General : Rooms.Known(room), wantsPresence, default),
        };
        session.Progress.Upgraded = true;
        connection.Tag = session;
        return (session, peer);
    }

    /// <summary>The real in-memory store, opened: what persist stores into, and what handshake and replay read.</summary>
    public static async Task<InMemoryMessageStore> StoreAsync()
    {
        var store = new InMemoryMessageStore(new StoreOptions(), NullLogger<InMemoryMessageStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    /// <summary>A rented pooled copy of <paramref name="bytes"/>, as the stages pass buffers on (the receiver returns it).</summary>
    public static byte[] Rented(ReadOnlySpan<byte> bytes)
    {
        var buffer = BufferPool.Shared.Rent(Math.Max(bytes.Length, 1));
        bytes.CopyTo(buffer);
        return buffer;
    }

    /// <summary>A chat message as the encode stage leaves it: the escaped comment, and its frame tail behind the head room.</summary>
    public static MessageItem EncodedChat(Session session, string escapedComment)
    {
        var comment = System.Text.Encoding.UTF8.GetBytes(escapedComment);
        var timestamp = new DateTime(2026, 12, 4, 18, 0, 0, DateTimeKind.Utc);
        var room = session.Member!.Room.NameUtf8;
        var frame = SharedBuffer.Rent(ChatMessageEncoder.HeadRoom + ChatMessageEncoder.MaxTailLength(room.Length, session.Member!.UsernameEscaped.Length, comment.Length));
        var tail = ChatMessageEncoder.WriteTail(room, session.Member!.UsernameEscaped, comment, timestamp, frame.Span[ChatMessageEncoder.HeadRoom..]);
        return MessageItem.Chat(session, Rented(comment), comment.Length, timestamp).WithFrame(frame, tail);
    }

    /// <summary>
    /// Builds the stage over two fresh channels, writes <paramref name="items"/> to the inbound one, completes it, runs
    /// the stage to its end and returns all it wrote to the outbound one, in order.
    /// </summary>
    /// <param name="stage">The stage's RunAsync, built over the inbound reader and the outbound writer.</param>
    public static async Task<List<TOut>> RunAsync<TIn, TOut>(Func<ChannelReader<TIn>, ChannelWriter<TOut>, Func<Task>> stage, params TIn[] items)
    {
        var inbound = NewChannel<TIn>();
        var outbound = NewChannel<TOut>();
        var run = stage(inbound.Reader, outbound.Writer);
        foreach (var item in items) Assert.True(inbound.Writer.TryWrite(item));
        inbound.Writer.Complete();
        var running = run();
        var written = new List<TOut>();
        using var deadline = new CancellationTokenSource(Within);
        await foreach (var item in outbound.Reader.ReadAllAsync(deadline.Token)) written.Add(item);
        await running.WaitAsync(deadline.Token);
        return written;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var peer in _peers) await peer.DisposeAsync();
        await _transport.DisposeAsync();
        // The transport completes the events once every connection reported Closed; return what was never read.
        while (_events.Reader.TryRead(out var ev))
        {
            if (ev.Buffer is not null) BufferPool.Shared.Return(ev.Buffer);
        }
    }
}
