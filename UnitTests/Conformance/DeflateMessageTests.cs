using System.Text;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// Compressed client messages (RFC 7692 sections 6 and 7.2.2): RSV1 on the first frame, inflated after unmasking,
/// UTF-8 checked after inflating, bounded by the message limit after inflating; RSV1 anywhere else is a protocol error.
/// </summary>
[Collection(DeflateCollection.Name)]
public sealed class DeflateMessageTests(DeflateServers servers)
{
    [Fact]
    public Task Compressed_text_message_is_inflated_and_broadcast_compressed() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendCompressedChatAsync(Repeated("hello <b>deflate</b>"));
        await client.ExpectDeflateChatAsync(Repeated("hello &lt;b&gt;deflate&lt;/b&gt;"), compressed: true);
    }, extraHeaders: RawClient.DeflateOffer);

    [Fact]
    public Task Plain_message_is_accepted_on_a_deflate_connection() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync(Repeated("not compressed"));
        await client.ExpectDeflateChatAsync(Repeated("not compressed"), compressed: true);
    }, extraHeaders: RawClient.DeflateOffer);

    [Fact]
    public Task Fragmented_compressed_message_is_reassembled_then_inflated() => servers.RunWebSocketAsync(async client =>
    {
        var comment = string.Concat(Enumerable.Repeat("fragments ", 60));
        var compressed = RawClient.Deflate(Encoding.UTF8.GetBytes(RawClient.Chat(comment)));
        var third = compressed.Length / 3;
        await client.SendFrameAsync(Opcode.Text, compressed.AsSpan(0, third), fin: false, rsv: RawClient.Rsv1);
        await client.SendFrameAsync(Opcode.Ping, "between"u8);
        await client.SendFrameAsync(Opcode.Continuation, compressed.AsSpan(third, third), fin: false);
        await client.SendFrameAsync(Opcode.Continuation, compressed.AsSpan(2 * third), fin: true);
        var (pong, _, _) = await client.ReadDeflateFrameAsync();
        Assert.Equal(Opcode.Pong, pong.Opcode);
        await client.ExpectDeflateChatAsync(comment, compressed: true);
    }, extraHeaders: RawClient.DeflateOffer);

    [Fact]
    public Task Compressed_and_plain_messages_alternate() => servers.RunWebSocketAsync(async client =>
    {
        for (var i = 0; i < 20; i++)
        {
            if (i % 2 == 0) await client.SendCompressedChatAsync(Repeated($"message {i}"));
            else await client.SendChatAsync(Repeated($"message {i}"));
        }
        for (var i = 0; i < 20; i++) await client.ExpectDeflateChatAsync(Repeated($"message {i}"), compressed: true);
    }, extraHeaders: RawClient.DeflateOffer);

    [Fact]
    public Task Deflate_bomb_closes_with_1009() => servers.RunWebSocketAsync(async client =>
    {
        // A few hundred bytes on the wire that inflate to 1 MiB, far over the 16 KiB message limit.
        var bomb = RawClient.Deflate(new byte[1 << 20]);
        Assert.True(bomb.Length < DeflateServers.MaxMessageBytes);
        await client.SendFrameAsync(Opcode.Text, bomb, rsv: RawClient.Rsv1);
        await client.ExpectCloseAsync(1009);
    }, extraHeaders: RawClient.DeflateOffer);

    [Fact]
    public Task Message_one_byte_over_the_limit_once_inflated_closes_with_1009() => servers.RunWebSocketAsync(async client =>
    {
        var exact = RawClient.PaddedChat(Repeated("at the limit"), DeflateServers.MaxMessageBytes);
        await client.SendFrameAsync(Opcode.Text, RawClient.Deflate(exact), rsv: RawClient.Rsv1);
        await client.ExpectDeflateChatAsync(Repeated("at the limit"), compressed: true);
        var over = RawClient.PaddedChat("over the limit", DeflateServers.MaxMessageBytes + 1);
        await client.SendFrameAsync(Opcode.Text, RawClient.Deflate(over), rsv: RawClient.Rsv1);
        await client.ExpectCloseAsync(1009);
    }, extraHeaders: RawClient.DeflateOffer);

    [Fact]
    public Task Invalid_utf8_after_inflating_closes_with_1007() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, RawClient.Deflate([0x7B, 0xC3, 0x28, 0x7D]), rsv: RawClient.Rsv1);
        await client.ExpectCloseAsync(1007);
    }, extraHeaders: RawClient.DeflateOffer);

    [Fact]
    public Task Data_that_is_not_deflate_closes_with_1007() => servers.RunWebSocketAsync(async client =>
    {
        // BTYPE 11 is reserved (RFC 1951 section 3.2.3): no inflater accepts it.
        await client.SendFrameAsync(Opcode.Text, [0xFF, 0xFF, 0xFF, 0xFF], rsv: RawClient.Rsv1);
        await client.ExpectCloseAsync(1007);
    }, extraHeaders: RawClient.DeflateOffer);

    [Fact]
    public Task Rsv1_on_a_continuation_frame_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        var compressed = RawClient.Deflate(Encoding.UTF8.GetBytes(RawClient.Chat("split")));
        await client.SendFrameAsync(Opcode.Text, compressed.AsSpan(0, 2), fin: false, rsv: RawClient.Rsv1);
        await client.SendFrameAsync(Opcode.Continuation, compressed.AsSpan(2), fin: true, rsv: RawClient.Rsv1);
        await client.ExpectCloseAsync(1002);
    }, extraHeaders: RawClient.DeflateOffer);

    [Theory]
    [InlineData((int)Opcode.Ping)]
    [InlineData((int)Opcode.Pong)]
    [InlineData((int)Opcode.Close)]
    public Task Rsv1_on_a_control_frame_closes_with_1002(int opcode) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(opcode, opcode == (int)Opcode.Close ? RawClient.ClosePayload(1000, []) : "x"u8.ToArray(), rsv: RawClient.Rsv1);
        await client.ExpectCloseAsync(1002);
    }, extraHeaders: RawClient.DeflateOffer);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public Task Rsv2_or_rsv3_closes_with_1002_even_with_deflate(int rsv) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, RawClient.Deflate(Encoding.UTF8.GetBytes(RawClient.Chat("rsv"))), rsv: rsv);
        await client.ExpectCloseAsync(1002);
    }, extraHeaders: RawClient.DeflateOffer);

    [Fact]
    public Task Rsv1_without_the_extension_closes_with_1002() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync("plain first");
        await client.ExpectChatAsync("plain first");
        await client.SendCompressedChatAsync("not negotiated");
        await client.ExpectCloseAsync(1002);
    });

    /// <summary>A comment that repeats itself: its frame certainly compresses (a short line may not, and then goes plain).</summary>
    internal static string Repeated(string text) => string.Join(' ', Enumerable.Repeat(text, 8));
}
