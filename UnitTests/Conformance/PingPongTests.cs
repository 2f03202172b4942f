using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>Autobahn group 2: ping and pong.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class PingPongTests(ConformanceServers servers)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(125)]
    public Task Ping_is_answered_with_a_pong_carrying_the_same_payload(int length) => servers.RunWebSocketAsync(async client =>
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 26))).ToArray();
        await client.SendFrameAsync(Opcode.Ping, payload);
        await client.ExpectPongAsync(payload);
    });

    [Fact]
    public Task Ping_with_binary_payload_gets_it_back_byte_for_byte() => servers.RunWebSocketAsync(async client =>
    {
        var payload = Enumerable.Range(0, 125).Select(i => (byte)(255 - i * 2)).ToArray();
        await client.SendFrameAsync(Opcode.Ping, payload);
        await client.ExpectPongAsync(payload);
    });

    [Theory]
    [InlineData(126)]
    [InlineData(1000)]
    public Task Ping_with_payload_over_125_bytes_closes_with_1002(int length) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Ping, new byte[length]);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Ping_with_an_extended_length_field_closes_with_1002_even_when_short() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Ping, "short"u8, form: ClientFrame.LengthForm.Bits16);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Unsolicited_pong_is_ignored() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Pong, "unasked"u8);
        await client.SendFrameAsync(Opcode.Ping, "after pong"u8);
        await client.ExpectPongAsync("after pong"u8);
    });

    [Fact]
    public Task Unsolicited_empty_pong_is_ignored_and_chat_goes_on() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Pong, []);
        await client.SendChatAsync("after empty pong");
        await client.ExpectChatAsync("after empty pong");
    });

    [Fact]
    public Task Ten_pings_in_one_read_get_ten_pongs_in_order() => servers.RunWebSocketAsync(async client =>
    {
        var pings = Enumerable.Range(0, 10).Select(i => ClientFrame.Build(Opcode.Ping, [(byte)i, (byte)(i * 3)], mask: RawClient.RandomMask()));
        await client.SendAsync(ClientFrame.Concat([.. pings]));
        for (var i = 0; i < 10; i++) await client.ExpectPongAsync([(byte)i, (byte)(i * 3)]);
    });

    [Fact]
    public Task Ping_arriving_one_byte_per_read_is_answered() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendByteByByteAsync(ClientFrame.Build(Opcode.Ping, "slow ping"u8, mask: RawClient.RandomMask()));
        await client.ExpectPongAsync("slow ping"u8);
    });

    [Fact]
    public Task Pong_with_payload_over_125_bytes_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Pong, new byte[126]);
        await client.ExpectCloseAsync(1002);
    });
}
