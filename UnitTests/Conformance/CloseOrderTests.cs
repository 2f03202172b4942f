using System.Text;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// Close after the messages (issue 14 item 6, issue 19 item 4): chat messages read before a close are stored and
/// echoed to their sender before the close frame leaves, whether the client's own close (in one read with them or
/// split across reads) or one the server sends for a violation.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class CloseOrderTests(ConformanceServers servers)
{
    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    public Task Messages_and_the_close_in_one_read_are_echoed_before_the_close_echo(int messages) => servers.RunWebSocketAsync(async client =>
    {
        var bytes = new List<byte>();
        for (var i = 0; i < messages; i++) bytes.AddRange(Frame(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat($"last words {i}"))));
        bytes.AddRange(Frame(Opcode.Close, RawClient.ClosePayload(1000, [])));
        await client.SendAsync(bytes.ToArray());
        for (var i = 0; i < messages; i++) await client.ExpectChatAsync($"last words {i}");
        await client.ExpectCloseAsync(1000);
    });

    [Fact]
    public Task Messages_and_the_close_split_across_reads_are_echoed_before_the_close_echo() => servers.RunWebSocketAsync(async client =>
    {
        var bytes = new List<byte>();
        for (var i = 0; i < 3; i++) bytes.AddRange(Frame(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat($"split {i}"))));
        bytes.AddRange(Frame(Opcode.Close, RawClient.ClosePayload(1001, "bye"u8)));
        await client.SendByteByByteAsync(bytes.ToArray());
        for (var i = 0; i < 3; i++) await client.ExpectChatAsync($"split {i}");
        await client.ExpectCloseAsync(1001);
    });

    [Fact]
    public Task A_message_then_a_close_in_two_writes_is_echoed_first() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync("two writes");
        await client.SendCloseAsync(1000);
        await client.ExpectChatAsync("two writes");
        await client.ExpectCloseAsync(1000);
    });

    [Fact]
    public Task Messages_sent_with_a_close_and_the_fin_in_one_write_still_reach_everyone_else() => servers.RunAsync(async server =>
    {
        // The peer's FIN closes the connection at once; the messages read before it must still be stored and broadcast.
        await using var observer = await RawClient.OpenWebSocketAsync(server.EndPoint);
        await using var leaving = await RawClient.OpenWebSocketAsync(server.EndPoint);
        var bytes = new List<byte>();
        for (var i = 0; i < 5; i++) bytes.AddRange(Frame(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat($"before the fin {i}"))));
        bytes.AddRange(Frame(Opcode.Close, RawClient.ClosePayload(1000, [])));
        await leaving.SendAsync(bytes.ToArray());
        leaving.ShutdownSend();
        for (var i = 0; i < 5; i++) await observer.ExpectChatAsync($"before the fin {i}");
    });

    [Fact]
    public Task A_message_before_an_oversized_frame_is_echoed_before_1009() => servers.RunWebSocketAsync(async client =>
    {
        var bytes = new List<byte>(Frame(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat("before the big one"))));
        bytes.AddRange(RawClient.FrameHeader(1, 65_537));
        await client.SendAsync(bytes.ToArray());
        await client.ExpectChatAsync("before the big one");
        await client.ExpectCloseAsync(1009);
    });

    [Fact]
    public Task A_message_before_a_protocol_violation_is_echoed_before_1002() => servers.RunWebSocketAsync(async client =>
    {
        var bytes = new List<byte>(Frame(Opcode.Text, Encoding.UTF8.GetBytes(RawClient.Chat("before the bad one"))));
        bytes.AddRange(ClientFrame.Build(Opcode.Text, "x"u8, true, RawClient.RandomMask(), masked: true, rsv: 4));
        await client.SendAsync(bytes.ToArray());
        await client.ExpectChatAsync("before the bad one");
        await client.ExpectCloseAsync(1002);
    });

    private static byte[] Frame(Opcode opcode, ReadOnlySpan<byte> payload) => ClientFrame.Build(opcode, payload, true, RawClient.RandomMask(), masked: true, rsv: 0);
}
