using System.Text;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// Autobahn group 7: the close handshake. A client close is echoed with its code, then TCP closes and nothing more
/// is sent; malformed closes get 1002.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class CloseTests(ConformanceServers servers)
{
    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1008)]
    [InlineData(1009)]
    [InlineData(1010)]
    [InlineData(1011)]
    [InlineData(3000)]
    [InlineData(3999)]
    [InlineData(4000)]
    [InlineData(4999)]
    public Task Valid_close_code_is_echoed_then_tcp_closes(int code) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendCloseAsync(code);
        await client.ExpectCloseAsync(code);
    });

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(1100)]
    [InlineData(2000)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public Task Invalid_close_code_closes_with_1002(int code) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendCloseAsync(code);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Close_without_payload_is_answered_with_1000_then_tcp_closes() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Close, []);
        await client.ExpectCloseAsync(1000);
    });

    [Fact]
    public Task Close_arriving_one_byte_per_read_is_echoed() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendByteByByteAsync(ClientFrame.Build(Opcode.Close, RawClient.ClosePayload(4321, "slow"u8), mask: RawClient.RandomMask()));
        await client.ExpectCloseAsync(4321);
    });

    [Fact]
    public Task Close_with_a_one_byte_payload_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Close, [0x03]);
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Close_with_a_utf8_reason_is_echoed() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendCloseAsync(1000, "bye κόσμε");
        await client.ExpectCloseAsync(1000);
    });

    [Fact]
    public Task Close_with_the_longest_reason_is_echoed() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendCloseAsync(3001, new string('r', 123));
        await client.ExpectCloseAsync(3001);
    });

    [Theory]
    [InlineData("FF")]
    [InlineData("CE BA E1 BD B9 CF 83 CE BC CE B5 ED A0 80 65 64 69 74 65 64")]
    [InlineData("E2 82")]
    public Task Close_reason_that_is_not_utf8_closes_with_1002(string hex) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Close, RawClient.ClosePayload(1000, Utf8ValidatorTests.Hex(hex)));
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Close_payload_over_125_bytes_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Close, RawClient.ClosePayload(1000, Encoding.UTF8.GetBytes(new string('r', 124))));
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Frames_after_the_close_in_the_same_read_are_ignored() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendAsync(ClientFrame.Concat(
            ClientFrame.Build(Opcode.Close, RawClient.ClosePayload(1000, []), mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Ping, "too late"u8, mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat("too late")), mask: RawClient.RandomMask())));
        await client.ExpectCloseAsync(1000);
    });

    [Fact]
    public Task Frames_sent_after_the_close_are_ignored() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendCloseAsync(1000);
        var echo = await client.ReadFrameAsync();
        Assert.Equal(Opcode.Close, echo.Opcode);
        await client.SendFrameAsync(Opcode.Ping, "too late"u8);
        await client.SendChatAsync("too late");
        await client.AssertClosedByServerAsync();
    });

    [Fact]
    public Task Close_in_the_middle_of_a_fragmented_message_is_echoed() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, "{\"messageType\""u8, fin: false);
        await client.SendCloseAsync(1000);
        await client.ExpectCloseAsync(1000);
    });

    [Fact]
    public Task Close_right_after_a_message_is_the_last_frame_sent() => servers.RunAsync(async server =>
    {
        await using var observer = await RawClient.OpenWebSocketAsync(server.EndPoint);
        await using var client = await RawClient.OpenWebSocketAsync(server.EndPoint);
        await client.SendAsync(ClientFrame.Concat(
            ClientFrame.Build(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat("last words")), mask: RawClient.RandomMask()),
            ClientFrame.Build(Opcode.Close, RawClient.ClosePayload(1000, []), mask: RawClient.RandomMask())));
        // The broadcast of the message races the echo of the close; whichever wins, the close is the last frame.
        var first = await client.ReadFrameAsync();
        if (first.Opcode == Opcode.Text)
        {
            Assert.Equal("last words", first.Json().GetProperty("comment").GetString());
            await client.ExpectCloseAsync(1000);
        }
        else
        {
            Assert.Equal(Opcode.Close, first.Opcode);
            Assert.Equal(1000, first.CloseCode);
            await client.AssertClosedByServerAsync();
        }
        // The message was taken before the close, so it is stored and broadcast (and cannot leak into a later case).
        await observer.ExpectChatAsync("last words");
    });

    [Fact]
    public Task Tcp_fin_without_a_close_frame_ends_the_connection() => servers.RunWebSocketAsync(async client =>
    {
        client.ShutdownSend();
        var rest = await client.ReadUntilClosedAsync();
        Assert.True(rest.Length == 0 || rest[0] == 0x88, "only a close frame may be sent to a peer that went away");
    });
}
