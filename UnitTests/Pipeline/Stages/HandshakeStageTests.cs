using System.Diagnostics;
using System.Text;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Http;
using Chat.Pipeline.Items;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Reactor;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>
/// The handshake stage alone: parsed request heads in, the 101 (or the refusal) to the peer, the join to the broadcast
/// stage's join channel, and WebSocket bytes and Closed out to the frame decoder.
/// </summary>
public sealed class HandshakeStageTests
{
    /// <summary>Runs the stage over <paramref name="items"/>; returns what it sent on to deframe and the joins it posted.</summary>
    private static async Task<(List<WireItem> Wire, List<JoinItem> Joins)> RunAsync(StageHarness harness, params RequestItem[] items)
    {
        var joins = new JoinChannel(StageHarness.NewChannel<BroadcastItem>().Writer);
        await using var store = await StageHarness.StoreAsync();
        var history = new HistoryReader(store, readers: 1, queueCapacity: 16);
        try
        {
            var responder = new HttpResponder(StaticFiles.Load(Path.Combine(AppContext.BaseDirectory, "no-such-folder")), history,
                new Chat.Pipeline.StoreHealth(store), harness.Rooms, () => "");
            var wire = await StageHarness.RunAsync<RequestItem, WireItem>((input, output) => new HandshakeStage(input, output, joins, responder, new UsernameAssigner(),
                harness.Options, harness.Metrics, harness.Rooms, harness.Abuse, harness.Faults).RunAsync, items);
            var posted = new List<JoinItem>();
            while (joins.TryTake(out var join)) posted.Add(join);
            return (wire, posted);
        }
        finally
        {
            await history.StopAsync();
        }
    }

    private static async Task<(Session Session, RawClient Peer)> FreshSessionAsync(StageHarness harness)
    {
        var (connection, peer) = await harness.ConnectAsync();
        var session = new Session(connection, Stopwatch.GetTimestamp());
        connection.Tag = session;
        return (session, peer);
    }

    /// <summary>A head as the parse stage passes it on: parsed, counted as in flight.</summary>
    private static RequestItem Request(Session session, string head, SessionMode mode = SessionMode.WebSocket)
    {
        var bytes = Encoding.ASCII.GetBytes(head);
        var error = HttpHeadParser.Parse(bytes, out var parsed);
        Assert.Equal(HttpParseError.None, error);
        session.Requests.Enter();
        return RequestItem.Request(session, StageHarness.Rented(bytes), bytes.Length, parsed, mode);
    }

    private static RequestItem Data(Session session, string latin1)
    {
        var bytes = Encoding.Latin1.GetBytes(latin1);
        return RequestItem.Data(session, StageHarness.Rented(bytes), 0, bytes.Length);
    }

    [Fact]
    public async Task An_upgrade_gets_its_101_and_a_join_stamped_before_it_without_reading_the_rooms_last_id_then_its_bytes_and_Closed_go_on()
    {
        await using var harness = new StageHarness();
        var (session, peer) = await FreshSessionAsync(harness);
        harness.Rooms.Known("kitchen").LastId = 12;
        var before = Stopwatch.GetTimestamp();

        var (written, joins) = await RunAsync(harness,
            Request(session, RawClient.UpgradeRequest("name=rowan&room=kitchen")), Data(session, "\u0081\u0080abcd"), RequestItem.Closed(session));

        var join = Assert.Single(joins);
        Assert.Same(session, join.Session);
        Assert.Equal(-1, join.Since);
        Assert.InRange(join.SwitchedAt, before, Stopwatch.GetTimestamp());
        Assert.Equal([ItemKind.Data, ItemKind.Closed], written.Select(i => i.Kind));
        Assert.Equal("\u0081\u0080abcd", Encoding.Latin1.GetString(written[0].Buffer!, written[0].Offset, written[0].Count));
        Assert.True(session.Progress.Upgraded);
        Assert.Equal("rowan", session.Member!.Username);
        Assert.Equal("kitchen", session.Member!.Room.Name);
        var answer = await peer.ReadResponseAsync();
        Assert.Equal(101, answer.Status);
        Assert.Equal(RawClient.SampleAccept, answer.Header("Sec-WebSocket-Accept"));
    }

    [Fact]
    public async Task A_since_in_the_query_is_the_joins_since()
    {
        await using var harness = new StageHarness();
        var (session, _) = await FreshSessionAsync(harness);

        var (written, joins) = await RunAsync(harness, Request(session, RawClient.UpgradeRequest("since=5")));

        Assert.Equal(5, Assert.Single(joins).Since);
        Assert.Empty(written);
    }

    [Theory]
    [InlineData("since=-1", 400)]
    [InlineData("room=No%20Spaces", 400)]
    public async Task A_bad_query_is_refused_and_the_bytes_after_it_go_nowhere(string query, int status)
    {
        await using var harness = new StageHarness();
        var (session, peer) = await FreshSessionAsync(harness);

        var (written, joins) = await RunAsync(harness, Request(session, RawClient.UpgradeRequest(query)), Data(session, "\u0081\u0080abcd"));

        Assert.Empty(written);
        Assert.Empty(joins);
        Assert.False(session.Progress.Upgraded);
        var answer = await peer.ReadResponseAsync();
        Assert.Equal(status, answer.Status);
        await peer.AssertClosedByServerAsync();
    }

    [Fact]
    public async Task A_wrong_version_gets_426_naming_version_13()
    {
        await using var harness = new StageHarness();
        var (session, peer) = await FreshSessionAsync(harness);

        var (written, joins) = await RunAsync(harness, Request(session, RawClient.UpgradeRequest().Replace("Version: 13", "Version: 8", StringComparison.Ordinal)));

        Assert.Empty(written);
        Assert.Empty(joins);
        var answer = await peer.ReadResponseAsync();
        Assert.Equal(426, answer.Status);
        Assert.Equal("13", answer.Header("Sec-WebSocket-Version"));
    }

    [Fact]
    public async Task A_rejection_from_the_parse_stage_is_answered_with_its_status_and_closed()
    {
        await using var harness = new StageHarness();
        var (session, peer) = await FreshSessionAsync(harness);
        session.Requests.Enter();

        var (written, joins) = await RunAsync(harness, RequestItem.Reject(session, 431, headOnly: false));

        Assert.Empty(written);
        Assert.Empty(joins);
        var answer = await peer.ReadResponseAsync();
        Assert.Equal(431, answer.Status);
        answer.AssertWellFormed();
        await peer.AssertClosedByServerAsync();
    }
}
