using System.Text;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// Autobahn group 6: UTF-8 handling. Text is validated incrementally and fail-fast, across fragment boundaries too;
/// invalid text closes with 1007. The bytes under test sit raw inside the JSON string of a chat message.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class Utf8Tests(ConformanceServers servers)
{
    private static readonly byte[] Prefix = "{\"messageType\":\"chatMessage\",\"comment\":\"x"u8.ToArray();
    private static readonly byte[] Suffix = "\"}"u8.ToArray();

    [Theory]
    [InlineData("κόσμε")]
    [InlineData("\u0080")]
    [InlineData("\u07FF")]
    [InlineData("\u0800")]
    [InlineData("\uFFFD")]
    [InlineData("\uFFFF")]
    [InlineData("\U00010000")]
    [InlineData("\U0010FFFF")]
    [InlineData("中文 😀 ✓")]
    public Task Valid_text_is_accepted_and_comes_back_unchanged(string text) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, Message(Encoding.UTF8.GetBytes(text)));
        await client.ExpectChatAsync("x" + text);
    });

    [Theory]
    [InlineData("C0 80")] // overlong NUL
    [InlineData("C1 BF")] // overlong 2-byte
    [InlineData("E0 80 80")] // overlong 3-byte
    [InlineData("E0 9F BF")] // overlong 3-byte boundary
    [InlineData("F0 80 80 80")] // overlong 4-byte
    [InlineData("F0 8F BF BF")] // overlong 4-byte boundary
    [InlineData("ED A0 80")] // high surrogate U+D800
    [InlineData("ED AF BF")] // high surrogate U+DBFF
    [InlineData("ED B0 80")] // low surrogate U+DC00
    [InlineData("ED BF BF")] // low surrogate U+DFFF
    [InlineData("ED A0 80 ED B0 80")] // surrogate pair
    [InlineData("F4 90 80 80")] // U+110000
    [InlineData("F5 80 80 80")] // lead byte F5
    [InlineData("F7 BF BF BF")] // U+1FFFFF
    [InlineData("F8 88 80 80 80")] // 5-byte form
    [InlineData("FC 84 80 80 80 80")] // 6-byte form
    [InlineData("80")] // lone continuation
    [InlineData("BF 80")] // two continuations
    [InlineData("FE")] // byte FE
    [InlineData("FF")] // byte FF
    [InlineData("C2 41")] // 2-byte lead then ASCII
    [InlineData("E2 82 41")] // 3-byte lead cut by ASCII
    [InlineData("F0 9F 98 41")] // 4-byte lead cut by ASCII
    public Task Invalid_sequence_closes_with_1007(string hex) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, Message(Utf8ValidatorTests.Hex(hex)));
        await client.ExpectCloseAsync(1007);
    });

    [Theory]
    [InlineData("C2")]
    [InlineData("E2 82")]
    [InlineData("F0 9F 98")]
    public Task Message_ending_in_a_truncated_sequence_closes_with_1007(string hex) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, [.. Prefix, .. Utf8ValidatorTests.Hex(hex)]);
        await client.ExpectCloseAsync(1007);
    });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public Task Character_split_across_fragments_is_valid(int split) => servers.RunWebSocketAsync(async client =>
    {
        var message = Message("😀"u8.ToArray());
        var cut = Prefix.Length + split;
        await client.SendFrameAsync(Opcode.Text, message.AsSpan(0, cut), fin: false);
        await client.SendFrameAsync(Opcode.Continuation, message.AsSpan(cut));
        await client.ExpectChatAsync("x😀");
    });

    [Fact]
    public Task Bad_byte_in_the_first_fragment_closes_before_the_last_fragment_arrives() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, [.. Prefix, 0xFF], fin: false);
        await client.ExpectCloseAsync(1007);
    });

    [Fact]
    public Task Sequence_made_invalid_by_the_next_fragment_closes_before_the_message_ends() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, [.. Prefix, 0xED], fin: false);
        await client.SendFrameAsync(Opcode.Continuation, [0xA0, 0x80], fin: false);
        await client.ExpectCloseAsync(1007);
    });

    [Fact]
    public Task Impossible_prefix_at_the_end_of_a_fragment_closes_at_once() => servers.RunWebSocketAsync(async client =>
    {
        // F4 90 can never start a valid sequence: the server need not wait for the next fragment to know.
        await client.SendFrameAsync(Opcode.Text, [.. Prefix, 0xF4, 0x90], fin: false);
        await client.ExpectCloseAsync(1007);
    });

    [Fact]
    public Task Bad_byte_early_in_a_frame_closes_before_the_rest_of_the_frame_arrives() => servers.RunWebSocketAsync(async client =>
    {
        var payload = Message([0xC0, 0xAF, .. new byte[3000].Select(_ => (byte)'a')]);
        var frame = ClientFrame.Build(Opcode.Text, payload, mask: RawClient.RandomMask());
        await client.SendAsync(frame.AsMemory(0, frame.Length - 1000));
        await client.ExpectCloseAsync(1007);
    });

    [Fact]
    public Task Invalid_text_arriving_one_byte_per_read_closes_with_1007() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendByteByByteAsync(ClientFrame.Build(Opcode.Text, Message([0xE0, 0x80, 0xAF]), mask: RawClient.RandomMask()));
        await client.ExpectCloseAsync(1007);
    });

    [Fact]
    public Task Valid_multibyte_text_arriving_one_byte_per_read_is_accepted() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendByteByByteAsync(ClientFrame.Build(Opcode.Text, Message("κόσμε😀"u8.ToArray()), mask: RawClient.RandomMask()));
        await client.ExpectChatAsync("xκόσμε😀");
    });

    [Fact]
    public Task Valid_text_in_single_byte_fragments_is_accepted() => servers.RunWebSocketAsync(async client =>
    {
        var message = Message("κόσμε😀"u8.ToArray());
        await client.SendAsync(FragmentationTests.Fragmented(message, message.Length));
        await client.ExpectChatAsync("xκόσμε😀");
    });

    private static byte[] Message(byte[] inside) => [.. Prefix, .. inside, .. Suffix];
}
