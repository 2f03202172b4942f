using System.Buffers.Binary;
using System.Text;
using Chat.Pipeline;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Reactor;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>
/// The unmask stage alone: hand-built frame pieces in; whole text messages, and closes that follow them, out; pongs
/// straight to the peer.
/// </summary>
public sealed class UnmaskStageTests
{
    private static Task<List<MessageItem>> RunAsync(StageHarness harness, params FrameItem[] items) =>
        StageHarness.RunAsync<FrameItem, MessageItem>(
            (input, output) => new UnmaskStage(input, output, harness.Options, harness.Metrics, harness.Abuse, harness.Faults).RunAsync, items);

    /// <summary>A piece of a masked frame as deframe passes it on: <paramref name="payload"/> masked at its offset.</summary>
    private static FrameItem Piece(Session session, Opcode opcode, byte[] payload, bool fin = true, long offset = 0, long? frameLength = null, bool frameEnd = true)
    {
        var header = new FrameHeader(fin, opcode, masked: true, StageHarness.MaskKey, frameLength ?? payload.Length);
        var masked = StageHarness.Rented(payload);
        Unmasker.Unmask(masked.AsSpan(0, payload.Length), StageHarness.MaskKey, offset);
        return FrameItem.Part(session, header, payload.Length == 0 ? null : masked, payload.Length, offset, frameEnd);
    }

    private static string Text(MessageItem message) => Encoding.UTF8.GetString(message.Buffer.AsSpan(0, message.Count));

    [Fact]
    public async Task A_whole_text_frame_comes_out_unmasked_as_one_message()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync();

        var written = await RunAsync(harness, Piece(session, Opcode.Text, "héllo 🎉"u8.ToArray()));

        Assert.Equal([ItemKind.Message], written.Select(i => i.Kind));
        Assert.Equal("héllo 🎉", Text(written[0]));
    }

    [Fact]
    public async Task A_frame_in_two_pieces_and_a_message_in_two_fragments_come_out_whole_with_a_ping_between_answered_by_a_pong()
    {
        await using var harness = new StageHarness();
        var (session, peer) = await harness.UpgradedSessionAsync();
        var text = "fragmented ✓ message"u8.ToArray();

        var written = await RunAsync(harness,
            Piece(session, Opcode.Text, text[..4], fin: false, offset: 0, frameLength: 10, frameEnd: false),
            Piece(session, Opcode.Text, text[4..10], fin: false, offset: 4, frameLength: 10),
            Piece(session, Opcode.Ping, "mid"u8.ToArray()),
            Piece(session, Opcode.Continuation, text[10..]));

        var message = Assert.Single(written);
        Assert.Equal(ItemKind.Message, message.Kind);
        Assert.Equal(text, message.Buffer.AsSpan(0, message.Count).ToArray());
        await peer.ExpectPongAsync("mid"u8);
    }

    [Fact]
    public async Task A_byte_that_is_not_UTF_8_ends_with_a_1007_close_behind_the_messages_before_it()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync();

        var written = await RunAsync(harness,
            Piece(session, Opcode.Text, "fine"u8.ToArray()),
            Piece(session, Opcode.Text, [(byte)'{', 0xC3, 0x28]),
            Piece(session, Opcode.Text, "ignored after the close"u8.ToArray()));

        Assert.Equal([ItemKind.Message, ItemKind.CloseAfter], written.Select(i => i.Kind));
        Assert.Equal("fine", Text(written[0]));
        var close = written[1].Frame!.Span[..written[1].TailLength];
        Assert.Equal(0x88, close[0]);
        Assert.Equal((ushort)CloseStatus.InvalidPayloadData, BinaryPrimitives.ReadUInt16BigEndian(close[2..]));
        Assert.Equal(1, harness.Metrics.ProtocolErrors);
    }

    [Fact]
    public async Task A_binary_message_ends_with_a_1003_close_and_a_client_close_with_its_echo()
    {
        await using var harness = new StageHarness();
        var (binary, _) = await harness.UpgradedSessionAsync("binary");
        var (closing, _) = await harness.UpgradedSessionAsync("closing");

        var written = await RunAsync(harness,
            Piece(binary, Opcode.Binary, [1, 2, 3]),
            Piece(closing, Opcode.Close, RawClient.ClosePayload(4001, "bye"u8)));

        Assert.Equal([ItemKind.CloseAfter, ItemKind.CloseAfter], written.Select(i => i.Kind));
        Assert.Same(binary, written[0].Session);
        Assert.Equal((ushort)CloseStatus.UnsupportedData, BinaryPrimitives.ReadUInt16BigEndian(written[0].Frame!.Span[2..]));
        Assert.Same(closing, written[1].Session);
        Assert.Equal(4001, BinaryPrimitives.ReadUInt16BigEndian(written[1].Frame!.Span[2..]));
        Assert.True(closing.Unmask!.WebSocketClosed);
    }

    [Fact]
    public async Task Pings_past_the_control_budget_end_with_a_1008_close()
    {
        await using var harness = new StageHarness(new PipelineOptions { ControlFramesPerSecond = 1 });
        var (session, peer) = await harness.UpgradedSessionAsync();

        var written = await RunAsync(harness, Enumerable.Range(0, 5).Select(_ => Piece(session, Opcode.Ping, "p"u8.ToArray())).ToArray());

        var close = Assert.Single(written);
        Assert.Equal(ItemKind.CloseAfter, close.Kind);
        Assert.Equal((ushort)CloseStatus.PolicyViolation, BinaryPrimitives.ReadUInt16BigEndian(close.Frame!.Span[2..]));
        // The budget's one token answered the first; the close ends the rest, which no pong answers.
        await peer.ExpectPongAsync("p"u8);
        Assert.True(await peer.IsSilentAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Closed_returns_a_half_assembled_message_and_passes_on()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync();
        var state = session.Unmask = new UnmaskState();

        var written = await RunAsync(harness, Piece(session, Opcode.Text, "half"u8.ToArray(), fin: false), FrameItem.Closed(session));

        Assert.Equal([ItemKind.Closed], written.Select(i => i.Kind));
        Assert.Null(state.Assembly);
        Assert.Null(session.Unmask);
    }
}
