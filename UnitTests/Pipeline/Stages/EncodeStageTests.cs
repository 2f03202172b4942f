using System.Text;
using System.Text.Json;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>The encode stage alone: escaped chat messages in, the same items with their shared frame tail out.</summary>
public sealed class EncodeStageTests
{
    private static Task<List<MessageItem>> RunAsync(StageHarness harness, params MessageItem[] items) =>
        StageHarness.RunAsync<MessageItem, MessageItem>((input, output) => new EncodeStage(input, output, harness.Options, harness.Faults).RunAsync, items);

    [Fact]
    public async Task A_chat_message_gets_a_frame_whose_tail_after_an_id_is_the_JSON_clients_receive()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync("a&amp;b", room: "kitchen");
        var comment = "&lt;i&gt; \"quoted\" \u2028 𝄞"u8.ToArray();
        var timestamp = new DateTime(2026, 12, 4, 17, 30, 0, 123, DateTimeKind.Utc);

        var written = await RunAsync(harness, MessageItem.Chat(session, StageHarness.Rented(comment), comment.Length, timestamp));

        var item = Assert.Single(written);
        Assert.Equal(ItemKind.Chat, item.Kind);
        Assert.Equal(comment, item.Buffer.AsSpan(0, item.Count).ToArray());
        // The broadcast stage writes the id and the frame header in front of the tail, as here.
        var start = ChatMessageEncoder.WriteHead(7, item.TailLength, item.Frame!.Span[..ChatMessageEncoder.HeadRoom]);
        var frame = item.Frame.Span[start..(ChatMessageEncoder.HeadRoom + item.TailLength)];
        Assert.Equal(0x81, frame[0]);
        var payload = frame[1] == 126 ? frame[4..] : frame[2..];
        using var json = JsonDocument.Parse(payload.ToArray());
        var root = json.RootElement;
        Assert.Equal(7, root.GetProperty("id").GetInt64());
        Assert.Equal("kitchen", root.GetProperty("room").GetString());
        Assert.Equal("a&amp;b", root.GetProperty("username").GetString());
        Assert.Equal(Encoding.UTF8.GetString(comment), root.GetProperty("comment").GetString());
        Assert.Equal("2026-12-04T17:30:00.123Z", root.GetProperty("timestamp").GetString());
        item.Frame.Release();
    }

    [Fact]
    public async Task A_close_after_the_messages_and_Closed_pass_through_untouched_in_order()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync();
        var close = SessionCloser.EchoAfter(session, 1000);

        var written = await RunAsync(harness, close, MessageItem.Closed(session));

        Assert.Equal([ItemKind.CloseAfter, ItemKind.Closed], written.Select(i => i.Kind));
        Assert.Same(close.Frame, written[0].Frame);
        Assert.Equal(close.TailLength, written[0].TailLength);
        Assert.Null(written[1].Frame);
        close.Frame!.Release();
    }
}
