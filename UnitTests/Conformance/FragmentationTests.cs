using System.Text;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>Autobahn group 5: fragmentation. Continuations reassembled, controls between fragments, bad sequences 1002.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class FragmentationTests(ConformanceServers servers)
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(43)]
    public Task Text_message_in_fragments_is_reassembled(int fragments) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendAsync(Fragmented(Encoding.UTF8.GetBytes(RawClient.Chat($"in {fragments} parts")), fragments));
        await client.ExpectChatAsync($"in {fragments} parts");
    });

    [Fact]
    public Task Fragments_each_in_its_own_read_are_reassembled() => servers.RunWebSocketAsync(async client =>
    {
        var json = Encoding.UTF8.GetBytes(RawClient.Chat("one read each"));
        await client.SendFrameAsync(Opcode.Text, json.AsSpan(0, 10), fin: false);
        Assert.True(await client.IsSilentAsync(TimeSpan.FromMilliseconds(100)));
        await client.SendFrameAsync(Opcode.Continuation, json.AsSpan(10, 10), fin: false);
        Assert.True(await client.IsSilentAsync(TimeSpan.FromMilliseconds(100)));
        await client.SendFrameAsync(Opcode.Continuation, json.AsSpan(20));
        await client.ExpectChatAsync("one read each");
    });

    [Fact]
    public Task Empty_first_fragment_is_allowed() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, [], fin: false);
        await client.SendFrameAsync(Opcode.Continuation, Encoding.UTF8.GetBytes(RawClient.Chat("empty first")));
        await client.ExpectChatAsync("empty first");
    });

    [Fact]
    public Task Empty_final_continuation_ends_the_message() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat("empty last")), fin: false);
        await client.SendFrameAsync(Opcode.Continuation, [], fin: false);
        await client.SendFrameAsync(Opcode.Continuation, []);
        await client.ExpectChatAsync("empty last");
    });

    [Fact]
    public Task Ping_between_fragments_is_answered_before_the_message_completes() => servers.RunWebSocketAsync(async client =>
    {
        var json = Encoding.UTF8.GetBytes(RawClient.Chat("ping inside"));
        await client.SendFrameAsync(Opcode.Text, json.AsSpan(0, 5), fin: false);
        await client.SendFrameAsync(Opcode.Ping, "mid"u8);
        await client.ExpectPongAsync("mid"u8);
        await client.SendFrameAsync(Opcode.Continuation, json.AsSpan(5));
        await client.ExpectChatAsync("ping inside");
    });

    [Fact]
    public Task Pong_between_fragments_is_ignored() => servers.RunWebSocketAsync(async client =>
    {
        var json = Encoding.UTF8.GetBytes(RawClient.Chat("pong inside"));
        await client.SendAsync(ClientFrame.Concat(
            ClientFrame.Build(Opcode.Text, json.AsSpan(0, 5), fin: false, mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Pong, "unasked"u8, mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Continuation, json.AsSpan(5), mask: RawClient.RandomMask())));
        await client.ExpectChatAsync("pong inside");
    });

    [Fact]
    public Task Controls_between_fragments_arriving_one_byte_per_read_are_handled() => servers.RunWebSocketAsync(async client =>
    {
        var json = Encoding.UTF8.GetBytes(RawClient.Chat("slow controls"));
        await client.SendByteByByteAsync(ClientFrame.Concat(
            ClientFrame.Build(Opcode.Text, json.AsSpan(0, 7), fin: false, mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Ping, "p1"u8, mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Continuation, json.AsSpan(7, 7), fin: false, mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Pong, "x"u8, mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Ping, "p2"u8, mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Continuation, json.AsSpan(14), mask: RawClient.RandomMask())));
        await client.ExpectPongAsync("p1"u8);
        await client.ExpectPongAsync("p2"u8);
        await client.ExpectChatAsync("slow controls");
    });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public Task Continuation_with_nothing_to_continue_closes_with_1002(bool fin) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Continuation, Encoding.UTF8.GetBytes(RawClient.Chat("orphan")), fin: fin);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Continuation_after_a_finished_message_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync("finished");
        await client.ExpectChatAsync("finished");
        await client.SendFrameAsync(Opcode.Continuation, "more"u8);
        await client.ExpectCloseAsync(1002);
    });

    [Theory]
    [InlineData((int)Opcode.Text)]
    [InlineData((int)Opcode.Binary)]
    public Task New_data_frame_inside_a_fragmented_message_closes_with_1002(int opcode) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, "{\"messageType\""u8, fin: false);
        await client.SendFrameAsync(opcode, "{}"u8);
        await client.ExpectCloseAsync(1002);
    });

    [Theory]
    [InlineData((int)Opcode.Ping)]
    [InlineData((int)Opcode.Pong)]
    [InlineData((int)Opcode.Close)]
    public Task Fragmented_control_frame_closes_with_1002(int opcode) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(opcode, RawClient.ClosePayload(1000, []), fin: false);
        await client.SendFrameAsync(Opcode.Continuation, "rest"u8);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Fragmented_binary_message_closes_with_1003_at_its_first_fragment() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Binary, new byte[10], fin: false);
        await client.ExpectCloseAsync(1003);
    });

    [Fact]
    public Task Two_fragmented_messages_in_a_row_are_both_reassembled() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendAsync(ClientFrame.Concat(
            Fragmented(Encoding.UTF8.GetBytes(RawClient.Chat("first of two")), 3),
            Fragmented(Encoding.UTF8.GetBytes(RawClient.Chat("second of two")), 4)));
        await client.ExpectChatAsync("first of two");
        await client.ExpectChatAsync("second of two");
    });

    /// <summary>A text message cut into <paramref name="count"/> frames (all but the last non-empty), in one buffer.</summary>
    internal static byte[] Fragmented(byte[] message, int count)
    {
        var size = (message.Length + count - 1) / count;
        var frames = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            var start = Math.Min(i * size, message.Length);
            var end = i == count - 1 ? message.Length : Math.Min(start + size, message.Length);
            frames.Add(ClientFrame.Build(i == 0 ? Opcode.Text : Opcode.Continuation, message.AsSpan(start, end - start), fin: i == count - 1, mask: RawClient.RandomMask()));
        }
        return ClientFrame.Concat([.. frames]);
    }
}
