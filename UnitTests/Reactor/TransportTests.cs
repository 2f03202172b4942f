using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Chat.Reactor;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Reactor;

/// <summary>Both backends over real loopback sockets: the same contract, the same tests.</summary>
public sealed class TransportTests
{
    public static TheoryData<ReactorBackend> Backends => new() { ReactorBackend.Epoll, ReactorBackend.Sockets };

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static (ITransport Transport, Channel<TransportEvent> Events) Start(ReactorBackend backend, long highWaterMark = 1 << 20, int capacity = 64,
        TimeSpan? closeTimeout = null)
    {
        var events = Channel.CreateBounded<TransportEvent>(capacity);
        var transport = TransportFactory.Bind(new IPEndPoint(IPAddress.Loopback, 0),
            new ReactorOptions { Backend = backend, HighWaterMark = highWaterMark, CloseTimeout = closeTimeout ?? TimeSpan.FromSeconds(2) }, events.Writer, NullLoggerFactory.Instance);
        transport.Start();
        return (transport, events);
    }

    internal static async Task<TransportEvent> NextAsync(Channel<TransportEvent> events)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await events.Reader.ReadAsync(timeout.Token);
    }

    internal static async Task<Socket> ConnectAsync(ITransport transport)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(transport.LocalEndPoint);
        return socket;
    }

    private static SendResult SendText(Connection connection, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        var buffer = SharedBuffer.Rent(bytes.Length);
        bytes.CopyTo(buffer.Span);
        var result = connection.Send(buffer, 0, bytes.Length);
        buffer.Release();
        return result;
    }

    internal static async Task<string> ReadToEndAsync(Socket socket, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? Timeout);
        var all = new MemoryStream();
        var chunk = new byte[4096];
        while (true)
        {
            var n = await socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token);
            if (n == 0) return System.Text.Encoding.ASCII.GetString(all.ToArray());
            all.Write(chunk, 0, n);
        }
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task Opened_then_received_bytes_then_closed_are_reported_in_order(ReactorBackend backend)
    {
        var (transport, events) = Start(backend);
        await using var _ = transport;
        using var client = await ConnectAsync(transport);

        var opened = await NextAsync(events);
        await client.SendAsync("hello"u8.ToArray());
        var received = await NextAsync(events);
        client.Shutdown(SocketShutdown.Send);
        var closed = await NextAsync(events);

        Assert.Equal(TransportEventKind.Opened, opened.Kind);
        Assert.Equal(TransportEventKind.Received, received.Kind);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(received.Buffer!, 0, received.Count));
        BufferPool.Shared.Return(received.Buffer!);
        Assert.Equal(TransportEventKind.Closed, closed.Kind);
        Assert.Same(opened.Connection, closed.Connection);
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task Close_sends_what_is_queued_and_the_last_words_then_fin(ReactorBackend backend)
    {
        var (transport, events) = Start(backend);
        await using var _ = transport;
        using var client = await ConnectAsync(transport);
        var connection = (await NextAsync(events)).Connection;

        Assert.Equal(SendResult.Accepted, SendText(connection, "one "));
        var last = SharedBuffer.Rent(3);
        "bye"u8.CopyTo(last.Span);
        connection.Close(last, 0, 3);
        last.Release();

        Assert.Equal("one bye", await ReadToEndAsync(client));
        Assert.Equal(SendResult.Closed, SendText(connection, "late"));
        client.Close();
        Assert.Equal(TransportEventKind.Closed, (await NextAsync(events)).Kind);
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task A_closing_connection_ignores_pause_and_closes_on_the_peers_fin(ReactorBackend backend)
    {
        // The close timeout is far beyond the test's wait: only the peer's FIN, read despite the pause, can end it.
        var (transport, events) = Start(backend, closeTimeout: TimeSpan.FromMinutes(5));
        await using var _ = transport;
        using var client = await ConnectAsync(transport);
        var connection = (await NextAsync(events)).Connection;

        connection.Close();
        connection.PauseReading();
        Assert.Equal("", await ReadToEndAsync(client));
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(TransportEventKind.Closed, (await NextAsync(events)).Kind);
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task A_closed_connection_whose_peer_neither_reads_nor_closes_shuts_down_once_and_stays_quiet(ReactorBackend backend)
    {
        // A slow consumer closed with 1008 does exactly this. Each shutdown(2) woke epoll with EPOLLOUT, whose flush
        // shut down again: one loop spun at 100% of a core until the close timeout, thousands of times a second.
        var (transport, events) = Start(backend, closeTimeout: TimeSpan.FromMinutes(5));
        await using var _ = transport;
        using var client = await ConnectAsync(transport);
        var connection = (await NextAsync(events)).Connection;

        connection.Close();
        // The first shutdown comes when the loop flushes, which a loaded machine may delay; then a window to watch it
        // stay at one.
        var deadline = DateTime.UtcNow + Timeout;
        while (((Connection)connection).ShutdownRequests == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        await Task.Delay(500);

        Assert.InRange(((Connection)connection).ShutdownRequests, 1, 3);
        Assert.True(connection.IsClosing);
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task A_send_past_the_high_water_mark_is_dropped_and_discard_keeps_the_stream_whole(ReactorBackend backend)
    {
        // The 4 KiB receive buffer, shrunk after the handshake, can hold the kernel's delivery back for seconds (zero
        // window probes); the close timeout must not abort the connection while what was written is still on its way.
        var (transport, events) = Start(backend, highWaterMark: 64 * 1024, closeTimeout: TimeSpan.FromSeconds(60));
        await using var _ = transport;
        using var client = await ConnectAsync(transport);
        client.ReceiveBufferSize = 4096;
        var connection = (await NextAsync(events)).Connection;

        var block = SharedBuffer.Rent(8192);
        block.Span[..8192].Fill((byte)'x');
        var results = new List<SendResult>();
        for (var i = 0; i < 400 && (results.Count == 0 || results[^1] != SendResult.Dropped); i++) results.Add(connection.Send(block, 0, 8192));
        block.Release();

        Assert.Equal(SendResult.Dropped, results[^1]);
        Assert.Contains(SendResult.Backpressure, results);
        Assert.True(connection.QueuedBytes <= 64 * 1024);
        var bye = SharedBuffer.Rent(4);
        "|END"u8.CopyTo(bye.Span);
        connection.Close(bye, 0, 4, discardQueued: true);
        bye.Release();
        // Through the 4 KiB window the kernel delivers the rest by zero-window probes, whose back-off passed a 10 s read
        // deadline on a loaded machine (2 runs of about 10): the deadline is the close timeout's.
        var text = await ReadToEndAsync(client, TimeSpan.FromSeconds(60));
        Assert.EndsWith("|END", text);
        Assert.Equal(0, (text.Length - 4) % 8192);
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task Paused_reads_leave_bytes_in_the_kernel_until_resumed(ReactorBackend backend)
    {
        var (transport, events) = Start(backend);
        await using var _ = transport;
        using var client = await ConnectAsync(transport);
        var connection = (await NextAsync(events)).Connection;
        await client.SendAsync("a"u8.ToArray());
        var first = await NextAsync(events);
        BufferPool.Shared.Return(first.Buffer!);

        connection.PauseReading();
        await Task.Delay(50);
        await client.SendAsync("b"u8.ToArray());
        using (var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await events.Reader.ReadAsync(quiet.Token));
        }
        connection.ResumeReading();
        var second = await NextAsync(events);
        Assert.Equal((byte)'b', second.Buffer![0]);
        BufferPool.Shared.Return(second.Buffer!);
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task A_full_channel_stops_the_reads_and_nothing_is_lost(ReactorBackend backend)
    {
        var (transport, events) = Start(backend, capacity: 2);
        await using var _ = transport;
        using var client = await ConnectAsync(transport);
        await NextAsync(events);
        var payload = new byte[256 * 1024];
        for (var i = 0; i < payload.Length; i++) payload[i] = (byte)(i * 7);
        var sending = client.SendAsync(payload);

        await Task.Delay(200);
        var received = new MemoryStream();
        while (received.Length < payload.Length)
        {
            var ev = await NextAsync(events);
            received.Write(ev.Buffer!, 0, ev.Count);
            BufferPool.Shared.Return(ev.Buffer!);
        }
        await sending;
        Assert.Equal(payload, received.ToArray());
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task Abort_closes_at_once_and_reports_closed(ReactorBackend backend)
    {
        var (transport, events) = Start(backend);
        await using var _ = transport;
        using var client = await ConnectAsync(transport);
        var connection = (await NextAsync(events)).Connection;

        connection.Abort();

        Assert.Equal(TransportEventKind.Closed, (await NextAsync(events)).Kind);
        Assert.True(connection.IsClosing);
        await Assert.ThrowsAnyAsync<SocketException>(async () =>
        {
            using var timeout = new CancellationTokenSource(Timeout);
            var n = await client.ReceiveAsync(new byte[1], SocketFlags.None, timeout.Token);
            if (n == 0) throw new SocketException((int)SocketError.ConnectionReset);
        });
    }

    [Theory, MemberData(nameof(Backends))]
    public async Task Many_connections_each_get_their_own_echo(ReactorBackend backend)
    {
        var (transport, events) = Start(backend, capacity: 1024);
        await using var _ = transport;
        var echo = Task.Run(async () =>
        {
            await foreach (var ev in events.Reader.ReadAllAsync())
            {
                if (ev.Kind != TransportEventKind.Received) continue;
                var buffer = SharedBuffer.Rent(ev.Count);
                ev.Buffer.AsSpan(0, ev.Count).CopyTo(buffer.Span);
                ev.Connection.Send(buffer, 0, ev.Count);
                buffer.Release();
                BufferPool.Shared.Return(ev.Buffer!);
            }
        });
        var clients = Enumerable.Range(0, 50).Select(async i =>
        {
            using var client = await ConnectAsync(transport);
            var message = new byte[10_000];
            Array.Fill(message, (byte)i);
            await client.SendAsync(message);
            var got = new byte[message.Length];
            var n = 0;
            using var timeout = new CancellationTokenSource(Timeout);
            while (n < got.Length) n += await client.ReceiveAsync(got.AsMemory(n), SocketFlags.None, timeout.Token);
            Assert.Equal(message, got);
        });
        await Task.WhenAll(clients);
        await transport.DisposeAsync();
        await echo;
        Assert.Equal(0, transport.ConnectionCount);
    }
}
