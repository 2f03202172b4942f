using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>Autobahn group 4: opcodes. Reserved data opcodes 3-7 and control opcodes 11-15 close with 1002.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class OpcodeTests(ConformanceServers servers)
{
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public Task Reserved_opcode_closes_with_1002(int opcode) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(opcode, []);
        await client.ExpectCloseAsync(1002);
    });

    [Theory]
    [InlineData(5)]
    [InlineData(13)]
    public Task Reserved_opcode_with_payload_closes_with_1002(int opcode) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(opcode, "reserved payload"u8);
        await client.ExpectCloseAsync(1002);
    });

    [Theory]
    [InlineData(4)]
    [InlineData(11)]
    public Task Message_before_a_reserved_opcode_is_delivered_then_1002(int opcode) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync("before opcode");
        await client.ExpectChatAsync("before opcode");
        await client.SendFrameAsync(opcode, []);
        await client.SendFrameAsync(Opcode.Ping, "never answered"u8);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Reserved_opcode_inside_a_fragmented_message_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, "{\"messageType\""u8, fin: false);
        await client.SendFrameAsync(6, "x"u8);
        await client.ExpectCloseAsync(1002);
    });
}
