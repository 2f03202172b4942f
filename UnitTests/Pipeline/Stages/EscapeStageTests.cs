using System.Text;
using System.Text.Json;
using Chat.Pipeline;
using Chat.Pipeline.Items;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Reactor;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>
/// The escape stage alone: client JSON in; escaped chat messages, relay frames and rate closes out; error frames
/// straight to the one client that sent the bad message.
/// </summary>
public sealed class EscapeStageTests
{
    private static Task<List<MessageItem>> RunAsync(StageHarness harness, params MessageItem[] items) =>
        StageHarness.RunAsync<MessageItem, MessageItem>(
            (input, output) => new EscapeStage(input, output, harness.Options, harness.Metrics, harness.Abuse, harness.Faults).RunAsync, items);

    private static MessageItem Json(Session session, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return MessageItem.Message(session, StageHarness.Rented(bytes), bytes.Length);
    }

    [Fact]
    public async Task A_chat_message_comes_out_with_its_comment_HTML_escaped_a_millisecond_timestamp_and_counted_as_pending()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync();
        var before = DateTime.UtcNow.AddMilliseconds(-1);

        var written = await RunAsync(harness, Json(session, RawClient.Chat("<b>\"hi\"</b> & 'you'")), MessageItem.Closed(session));

        Assert.Equal([ItemKind.Chat, ItemKind.Closed], written.Select(i => i.Kind));
        var chat = written[0];
        Assert.Equal("&lt;b&gt;&quot;hi&quot;&lt;/b&gt; &amp; &#39;you&#39;", Encoding.UTF8.GetString(chat.Buffer.AsSpan(0, chat.Count)));
        Assert.InRange(chat.Timestamp, before, DateTime.UtcNow);
        Assert.Equal(0, chat.Timestamp.Ticks % TimeSpan.TicksPerMillisecond);
        Assert.Equal(1, session.Pending.Count);
        Assert.Null(session.Escape);
        Assert.Equal(1, harness.Metrics.MessagesReceived);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"messageType\":\"chatMessage\"}")]
    [InlineData("{\"messageType\":\"shout\",\"comment\":\"hi\"}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"\"}")]
    public async Task A_bad_message_goes_no_further_and_its_sender_alone_gets_an_error_frame(string json)
    {
        await using var harness = new StageHarness();
        var (sender, senderPeer) = await harness.UpgradedSessionAsync("sender");
        var (other, otherPeer) = await harness.UpgradedSessionAsync("other");

        var written = await RunAsync(harness, Json(sender, json), Json(other, RawClient.Chat("fine")));

        var chat = Assert.Single(written);
        Assert.Same(other, chat.Session);
        await senderPeer.ExpectErrorAsync();
        Assert.True(await otherPeer.IsSilentAsync(TimeSpan.FromMilliseconds(200)), "the error frame goes to its sender only");
        Assert.Equal(0, sender.Pending.Count);
        Assert.Equal(1, harness.Metrics.MessagesRejected);
    }

    [Fact]
    public async Task Past_the_rate_a_message_gets_an_error_frame_and_past_the_strikes_a_1008_close_follows_the_accepted_ones()
    {
        await using var harness = new StageHarness(new PipelineOptions { MessagesPerSecond = 1, MessageBurst = 1, RateLimitStrikes = 2 });
        var (session, peer) = await harness.UpgradedSessionAsync();

        var written = await RunAsync(harness, Enumerable.Range(0, 4).Select(i => Json(session, RawClient.Chat($"m{i}"))).ToArray());

        // One token: m0 passes; m1 is the first strike (an error frame); m2 the second, which closes; m3 is dropped.
        Assert.Equal([ItemKind.Chat, ItemKind.CloseAfter], written.Select(i => i.Kind));
        Assert.True(session.Escape!.RateClosed);
        Assert.Equal((ushort)Chat.Pipeline.Codecs.CloseStatus.PolicyViolation, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(written[1].Frame!.Span[2..]));
        Assert.Contains("too many messages", await peer.ExpectErrorAsync());
    }

    [Fact]
    public async Task A_signal_becomes_its_relay_frame_with_the_sender_and_room_and_is_not_counted_as_pending()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync("caller", room: "call");

        var written = await RunAsync(harness, Json(session, "{\"messageType\":\"webRTC-offer\",\"offer\":{\"sdp\":\"v=0\"}}"));

        var signal = Assert.Single(written);
        Assert.Equal(ItemKind.Signal, signal.Kind);
        var frame = signal.Frame!.Span[..signal.TailLength];
        Assert.Equal(0x81, frame[0]);
        using var json = JsonDocument.Parse(frame[signal.Count..].ToArray());
        Assert.Equal("webRTC-offer", json.RootElement.GetProperty("messageType").GetString());
        Assert.Equal("v=0", json.RootElement.GetProperty("offer").GetProperty("sdp").GetString());
        Assert.Equal("caller", json.RootElement.GetProperty("username").GetString());
        Assert.Equal("call", json.RootElement.GetProperty("room").GetString());
        Assert.Equal(0, session.Pending.Count);
        signal.Frame.Release();
    }

    [Fact]
    public async Task Past_the_pending_limit_the_senders_reads_pause()
    {
        await using var harness = new StageHarness(new PipelineOptions { MaxPendingMessagesPerConnection = 2 });
        var (session, _) = await harness.UpgradedSessionAsync();

        var written = await RunAsync(harness, Enumerable.Range(0, 3).Select(i => Json(session, RawClient.Chat($"m{i}"))).ToArray());

        Assert.Equal(3, written.Count);
        Assert.Equal(3, session.Pending.Count);
        Assert.True(session.Pending.ReadPaused);
        foreach (var chat in written) BufferPool.Shared.Return(chat.Buffer!);
    }
}
