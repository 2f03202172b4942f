using System.Text;
using Chat.Pipeline;
using Chat.Pipeline.Items;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Reactor;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>The parse-header stage alone: the reactor's events in (built by hand on real connections), request heads, rejections and WebSocket bytes out.</summary>
public sealed class ParseHeaderStageTests
{
    private static Task<List<RequestItem>> RunAsync(StageHarness harness, SessionRegistry sessions, params TransportEvent[] events) =>
        StageHarness.RunAsync<TransportEvent, RequestItem>(
            (input, output) => new ParseHeaderStage(input, output, sessions, harness.Options, harness.Metrics, NullLogger.Instance, harness.Faults).RunAsync, events);

    /// <summary>One read of <paramref name="latin1"/>'s bytes, one per char (frame bytes above 0x7F too).</summary>
    private static TransportEvent Received(Connection connection, string latin1)
    {
        var bytes = Encoding.Latin1.GetBytes(latin1);
        return TransportEvent.Received(connection, StageHarness.Rented(bytes), bytes.Length);
    }

    private static string Head(RequestItem item) => Encoding.ASCII.GetString(item.Buffer!, 0, item.Count);

    [Fact]
    public async Task A_head_split_across_reads_comes_out_once_whole_and_keeps_the_connection_in_HTTP_mode()
    {
        await using var harness = new StageHarness();
        var (connection, _) = await harness.ConnectAsync();
        var sessions = new SessionRegistry(10, 10);

        var written = await RunAsync(harness, sessions, TransportEvent.Opened(connection),
            Received(connection, "GET /healthz HT"), Received(connection, "TP/1.1\r\nHost: 127.0.0.1\r"), Received(connection, "\n\r\n"));

        var request = Assert.Single(written);
        Assert.Equal(ItemKind.Request, request.Kind);
        Assert.Equal("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", Head(request));
        Assert.Equal("/healthz", Encoding.ASCII.GetString(request.Buffer.AsSpan(request.Head.Path)));
        Assert.Equal(SessionMode.Http, request.Mode);
        Assert.Same(connection.Tag, request.Session);
        Assert.Equal(1, sessions.Count);
    }

    [Fact]
    public async Task Bytes_after_an_upgrade_head_in_the_same_read_go_on_untouched_as_WebSocket_data()
    {
        await using var harness = new StageHarness();
        var (connection, _) = await harness.ConnectAsync();
        var upgrade = RawClient.UpgradeRequest();

        var written = await RunAsync(harness, new SessionRegistry(10, 10), TransportEvent.Opened(connection),
            Received(connection, upgrade + "\u0081\u0085frame"), Received(connection, "more"));

        Assert.Equal([ItemKind.Request, ItemKind.Data, ItemKind.Data], written.Select(i => i.Kind));
        Assert.Equal(SessionMode.WebSocket, written[0].Mode);
        Assert.Equal(upgrade, Head(written[0]));
        Assert.Equal("\u0081\u0085frame", Encoding.Latin1.GetString(written[1].Buffer!, written[1].Offset, written[1].Count));
        Assert.Equal("more", Encoding.ASCII.GetString(written[2].Buffer!, written[2].Offset, written[2].Count));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400)]
    [InlineData("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505)]
    public async Task A_malformed_head_is_rejected_with_its_status_and_nothing_after_it_is_parsed(string head, int status)
    {
        await using var harness = new StageHarness();
        var (connection, _) = await harness.ConnectAsync();

        var written = await RunAsync(harness, new SessionRegistry(10, 10), TransportEvent.Opened(connection),
            Received(connection, head + "GET / HTTP/1.1\r\n\r\n"));

        var reject = Assert.Single(written);
        Assert.Equal(ItemKind.Reject, reject.Kind);
        Assert.Equal(status, reject.Status);
    }

    [Fact]
    public async Task A_head_over_the_limit_is_rejected_with_431_before_it_ends()
    {
        await using var harness = new StageHarness(new PipelineOptions { MaxHeadBytes = 1024 });
        var (connection, _) = await harness.ConnectAsync();

        var written = await RunAsync(harness, new SessionRegistry(10, 10), TransportEvent.Opened(connection),
            Received(connection, "GET / HTTP/1.1\r\nX-Long: " + new string('a', 1100)));

        var reject = Assert.Single(written);
        Assert.Equal(431, reject.Status);
    }

    [Fact]
    public async Task A_connection_past_the_registry_limit_is_rejected_with_503_and_Closed_leaves_the_registry()
    {
        await using var harness = new StageHarness();
        var (first, _) = await harness.ConnectAsync();
        var (second, _) = await harness.ConnectAsync();
        var sessions = new SessionRegistry(1, 1);

        var written = await RunAsync(harness, sessions, TransportEvent.Opened(first), TransportEvent.Opened(second), TransportEvent.Closed(first));

        Assert.Equal([ItemKind.Reject, ItemKind.Closed], written.Select(i => i.Kind));
        Assert.Same(second.Tag, written[0].Session);
        Assert.Equal(503, written[0].Status);
        Assert.Same(first.Tag, written[1].Session);
        Assert.Equal(0, sessions.Count);
    }
}
