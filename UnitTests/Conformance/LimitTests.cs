using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// Autobahn group 9 (limits): frames and reassembled messages up to the configured limit (the default, 64 KiB) are
/// accepted; one byte more closes with 1009, decided from the header before the payload is read.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class LimitTests(ConformanceServers servers)
{
    private const int Limit = 64 * 1024;

    [Fact]
    public Task Frame_at_the_limit_is_accepted() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, RawClient.PaddedChat("at limit", Limit));
        await client.ExpectChatAsync("at limit");
    });

    [Fact]
    public Task Frame_one_byte_over_the_limit_closes_with_1009() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, RawClient.PaddedChat("over limit", Limit + 1));
        await client.ExpectCloseAsync(1009);
    });

    [Theory]
    [InlineData(Limit + 1L)]
    [InlineData(16L << 20)]
    [InlineData(1L << 62)]
    public Task Oversized_frame_closes_with_1009_from_its_header_alone(long length) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendAsync(ClientFrame.Concat(ClientFrame.Header((int)Opcode.Text, length), RawClient.RandomMask()));
        await client.ExpectCloseAsync(1009);
    });

    [Fact]
    public Task Length_with_the_most_significant_bit_set_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        var header = ClientFrame.Header((int)Opcode.Text, 5, form: ClientFrame.LengthForm.Bits64);
        header[2] |= 0x80;
        await client.SendAsync(ClientFrame.Concat(header, RawClient.RandomMask()));
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Fragmented_message_at_the_limit_is_accepted() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendAsync(FragmentationTests.Fragmented(RawClient.PaddedChat("fragments at limit", Limit), 4));
        await client.ExpectChatAsync("fragments at limit");
    });

    [Fact]
    public Task Fragmented_message_one_byte_over_the_limit_closes_with_1009() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendAsync(FragmentationTests.Fragmented(RawClient.PaddedChat("fragments over", Limit + 1), 4));
        await client.ExpectCloseAsync(1009);
    });

    [Fact]
    public Task Many_small_fragments_over_the_limit_close_with_1009_without_the_final_one() => servers.RunWebSocketAsync(async client =>
    {
        var chunk = new byte[4096];
        chunk.AsSpan().Fill((byte)' ');
        var frames = new List<byte[]> { ClientFrame.Build(Opcode.Text, "{\"messageType\":\"chatMessage\",\"comment\":\"x\""u8, fin: false, mask: RawClient.RandomMask()) };
        for (var i = 0; i < Limit / chunk.Length; i++) frames.Add(ClientFrame.Build(Opcode.Continuation, chunk, fin: false, mask: RawClient.RandomMask()));
        await client.SendAsync(ClientFrame.Concat([.. frames]));
        await client.ExpectCloseAsync(1009);
    });

    [Fact]
    public Task Message_near_the_limit_is_accepted_many_times_on_one_connection() => servers.RunWebSocketAsync(async client =>
    {
        for (var i = 0; i < 5; i++)
        {
            await client.SendFrameAsync(Opcode.Text, RawClient.PaddedChat($"big {i}", Limit - i));
            await client.ExpectChatAsync($"big {i}");
        }
    });

    [Fact]
    public Task Control_frames_do_not_count_towards_the_message_limit() => servers.RunWebSocketAsync(async client =>
    {
        var message = RawClient.PaddedChat("controls inside", Limit);
        await client.SendAsync(ClientFrame.Concat(
            ClientFrame.Build(Opcode.Text, message.AsSpan(0, Limit / 2), fin: false, mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Ping, new byte[125], mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Continuation, message.AsSpan(Limit / 2), mask: RawClient.RandomMask())));
        await client.ExpectPongAsync(new byte[125]);
        await client.ExpectChatAsync("controls inside");
    });

    [Fact]
    public Task Frame_at_the_limit_with_its_header_one_byte_per_read_is_accepted() => servers.RunWebSocketAsync(async client =>
    {
        var frame = ClientFrame.Build(Opcode.Text, RawClient.PaddedChat("slow header", Limit), mask: RawClient.RandomMask());
        await client.SendByteByByteAsync(frame[..14]);
        await client.SendAsync(frame.AsMemory(14));
        await client.ExpectChatAsync("slow header");
    });
}
