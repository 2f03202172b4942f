using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>Autobahn group 3: reserved bits. No extension is negotiated, so any RSV bit closes with 1002.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class ReservedBitsTests(ConformanceServers servers)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public Task Text_frame_with_reserved_bits_closes_with_1002(int rsv) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, System.Text.Encoding.UTF8.GetBytes(RawClient.Chat("rsv")), rsv: rsv);
        await client.ExpectCloseAsync(1002);
    });

    [Theory]
    [InlineData((int)Opcode.Binary, 6)]
    [InlineData((int)Opcode.Ping, 7)]
    [InlineData((int)Opcode.Pong, 1)]
    [InlineData((int)Opcode.Close, 2)]
    public Task Other_frame_with_reserved_bits_closes_with_1002(int opcode, int rsv) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(opcode, opcode == (int)Opcode.Close ? RawClient.ClosePayload(1000, []) : "x"u8.ToArray(), rsv: rsv);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Message_before_the_bad_frame_is_delivered_then_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync("before rsv");
        await client.ExpectChatAsync("before rsv");
        await client.SendFrameAsync(Opcode.Text, System.Text.Encoding.UTF8.GetBytes(RawClient.Chat("bad")), rsv: 4);
        await client.SendFrameAsync(Opcode.Ping, "never answered"u8);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Continuation_frame_with_reserved_bits_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, "{\"messageType\""u8, fin: false);
        await client.SendFrameAsync(Opcode.Continuation, ":\"chatMessage\",\"comment\":\"x\"}"u8, rsv: 1);
        await client.ExpectCloseAsync(1002);
    });
}
