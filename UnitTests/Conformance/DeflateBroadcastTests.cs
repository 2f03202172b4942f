using System.Text;
using static Chat.UnitTests.Conformance.DeflateMessageTests;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// One broadcast, two encodings: receivers that negotiated permessage-deflate get the compressed frame, the others the
/// plain one, both carrying the same message, live and replayed from memory; a receiver's server_max_window_bits is
/// honoured.
/// </summary>
[Collection(DeflateCollection.Name)]
public sealed class DeflateBroadcastTests(DeflateServers servers)
{
    [Fact]
    public Task Receiver_without_the_extension_gets_plain_frames_of_the_same_broadcast() => servers.RunAsync(async server =>
    {
        var room = "room=deflate-mixed";
        await using var compressing = await RawClient.OpenWebSocketAsync(server.EndPoint, room, RawClient.DeflateOffer);
        await using var plain = await RawClient.OpenWebSocketAsync(server.EndPoint, room);
        var comment = Repeated("the same message for everyone");
        await compressing.SendCompressedChatAsync(comment);
        var (viaDeflate, deflatedLength) = await compressing.ExpectDeflateChatAsync(comment, compressed: true);
        var (viaPlain, plainLength) = await plain.ExpectDeflateChatAsync(comment, compressed: false);
        Assert.Equal(viaPlain.GetRawText(), viaDeflate.GetRawText());
        Assert.True(deflatedLength < plainLength, $"compressed frame {deflatedLength} bytes, plain {plainLength}");
    });

    [Fact]
    public Task Compressed_frame_on_the_wire_is_smaller_and_inflates_to_the_plain_payload() => servers.RunAsync(async server =>
    {
        var room = "room=deflate-bytes";
        await using var compressing = await RawClient.OpenWebSocketAsync(server.EndPoint, room, RawClient.DeflateOffer);
        await using var plain = await RawClient.OpenWebSocketAsync(server.EndPoint, room);
        // 4 KiB of chat text that repeats like chat does: the wire frame must be a fraction of the plain one.
        var comment = string.Concat(Enumerable.Range(0, 256).Select(i => $"line {i % 16} of the log; "))[..4000];
        await plain.SendChatAsync(comment);
        var (_, plainLength) = await plain.ExpectDeflateChatAsync(comment, compressed: false);
        var (_, deflatedLength) = await compressing.ExpectDeflateChatAsync(comment, compressed: true);
        Assert.True(deflatedLength * 4 < plainLength, $"compressed frame {deflatedLength} bytes, plain {plainLength}");
    });

    [Fact]
    public Task Server_max_window_bits_is_honoured_by_sending_longer_messages_plain() => servers.RunAsync(async server =>
    {
        // 2^8 = 256 bytes of window: a longer payload could refer further back, so it goes plain to this receiver.
        var offer = "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=8\r\n";
        await using var client = await RawClient.OpenWebSocketAsync(server.EndPoint, "room=deflate-window", offer);
        var shortComment = "ab ab ab ab ab ab ab ab";
        await client.SendChatAsync(shortComment);
        var (shortJson, _) = await client.ExpectDeflateChatAsync(shortComment, compressed: true);
        Assert.True(Encoding.UTF8.GetByteCount(shortJson.GetRawText()) <= 256);
        var longComment = Repeated("a comment longer than the window of two hundred and fifty-six bytes");
        await client.SendChatAsync(longComment);
        await client.ExpectDeflateChatAsync(longComment, compressed: false);
    });

    [Fact]
    public Task Replay_from_memory_is_compressed_for_a_deflate_client_and_plain_for_another() => servers.RunAsync(async server =>
    {
        var room = "deflate-replay";
        await using (var sender = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}"))
        {
            for (var i = 0; i < 3; i++)
            {
                await sender.SendChatAsync(Repeated($"replayed {i}"));
                await sender.ExpectChatAsync(Repeated($"replayed {i}"));
            }
        }
        await using var compressing = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&since=0", RawClient.DeflateOffer);
        await using var plain = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room={room}&since=0");
        for (var i = 0; i < 3; i++)
        {
            var (viaDeflate, _) = await compressing.ExpectDeflateChatAsync(Repeated($"replayed {i}"), compressed: true);
            var (viaPlain, _) = await plain.ExpectDeflateChatAsync(Repeated($"replayed {i}"), compressed: false);
            Assert.Equal(viaPlain.GetRawText(), viaDeflate.GetRawText());
        }
    });

    [Fact]
    public Task Error_frames_and_pongs_stay_plain_on_a_deflate_connection() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendTextAsync("{not json");
        var (error, compressed, _) = await client.ReadDeflateFrameAsync();
        Assert.False(compressed);
        Assert.Equal("error", error.Json().GetProperty("messageType").GetString());
        await client.SendFrameAsync(Chat.Pipeline.Codecs.Opcode.Ping, "p"u8);
        var (pong, pongCompressed, _) = await client.ReadDeflateFrameAsync();
        Assert.False(pongCompressed);
        Assert.Equal(Chat.Pipeline.Codecs.Opcode.Pong, pong.Opcode);
    }, extraHeaders: RawClient.DeflateOffer);
}
