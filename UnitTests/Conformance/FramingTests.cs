using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>Autobahn group 1: framing. Every length form and its boundaries, split reads, many frames per read.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class FramingTests(ConformanceServers servers)
{
    [Theory]
    [InlineData(124)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(127)]
    [InlineData(65535)]
    [InlineData(65536)]
    public Task Text_message_of_each_length_form_boundary_is_received_whole(int length) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, RawClient.PaddedChat($"len {length}", length));
        await client.ExpectChatAsync($"len {length}");
    });

    [Theory]
    [InlineData(60, 16)]
    [InlineData(60, 64)]
    [InlineData(300, 64)]
    public Task Length_in_a_longer_form_than_needed_is_accepted(int length, int bits) => servers.RunWebSocketAsync(async client =>
    {
        var form = bits == 16 ? ClientFrame.LengthForm.Bits16 : ClientFrame.LengthForm.Bits64;
        await client.SendFrameAsync(Opcode.Text, RawClient.PaddedChat("long form", length), form: form);
        await client.ExpectChatAsync("long form");
    });

    [Fact]
    public Task Empty_text_message_gets_an_error_frame_and_the_connection_stays_open() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, []);
        await client.ExpectErrorAsync();
        await client.SendChatAsync("after empty");
        await client.ExpectChatAsync("after empty");
    });

    [Fact]
    public Task Frame_arriving_one_byte_per_read_is_decoded() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendByteByByteAsync(ClientFrame.Build(Opcode.Text, RawClient.PaddedChat("bytewise", 200), mask: RawClient.RandomMask()));
        await client.ExpectChatAsync("bytewise");
    });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    public Task Frame_split_inside_its_header_is_decoded(int split) => servers.RunWebSocketAsync(async client =>
    {
        var frame = ClientFrame.Build(Opcode.Text, RawClient.PaddedChat("split", 300), mask: RawClient.RandomMask());
        await client.SendAsync(frame.AsMemory(0, split));
        Assert.True(await client.IsSilentAsync(TimeSpan.FromMilliseconds(100)));
        await client.SendAsync(frame.AsMemory(split));
        await client.ExpectChatAsync("split");
    });

    [Fact]
    public Task Many_frames_in_one_read_are_all_decoded_in_order() => servers.RunWebSocketAsync(async client =>
    {
        var frames = Enumerable.Range(0, 20).Select(i => ClientFrame.Build(Opcode.Text, System.Text.Encoding.UTF8.GetBytes(RawClient.Chat($"burst {i}")), mask: RawClient.RandomMask()));
        await client.SendAsync(ClientFrame.Concat([.. frames]));
        for (var i = 0; i < 20; i++) await client.ExpectChatAsync($"burst {i}");
    });

    [Fact]
    public Task Frames_of_every_length_form_in_one_read_are_all_decoded() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendAsync(ClientFrame.Concat(
            ClientFrame.Build(Opcode.Text, RawClient.PaddedChat("seven", 100), mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Text, RawClient.PaddedChat("sixteen", 1000), mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Text, RawClient.PaddedChat("sixty-four", 65536), mask: RawClient.RandomMask())));
        await client.ExpectChatAsync("seven");
        await client.ExpectChatAsync("sixteen");
        await client.ExpectChatAsync("sixty-four");
    });

    [Fact]
    public Task Frame_sent_in_the_same_write_as_the_upgrade_request_is_decoded() => servers.RunRawAsync(async client =>
    {
        var request = System.Text.Encoding.ASCII.GetBytes(RawClient.UpgradeRequest());
        var frame = ClientFrame.Build(Opcode.Text, System.Text.Encoding.UTF8.GetBytes(RawClient.Chat("with upgrade")), mask: RawClient.RandomMask());
        await client.SendAsync(ClientFrame.Concat(request, frame));
        Assert.Equal(101, (await client.ReadResponseAsync()).Status);
        await client.ExpectChatAsync("with upgrade");
    });

    [Fact]
    public Task Server_frames_are_unmasked_with_reserved_bits_clear() => servers.RunWebSocketAsync(async client =>
    {
        var comment = new string('m', 3000);
        await client.SendChatAsync(comment);
        var frame = await client.ReadFrameAsync();
        Assert.Equal(Opcode.Text, frame.Opcode);
        Assert.True(frame.Fin);
        Assert.InRange(frame.Payload.Length, 3000, 65535);
    });

    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65536)]
    public Task Binary_message_closes_with_1003(int length) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Binary, new byte[length]);
        await client.ExpectCloseAsync(1003);
    });

    [Fact]
    public Task Unmasked_client_frame_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, System.Text.Encoding.UTF8.GetBytes(RawClient.Chat("bare")), masked: false);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Unmasked_ping_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Ping, "hi"u8, masked: false);
        await client.ExpectCloseAsync(1002);
    });
}
