using System.Text;
using Chat.Pipeline.Codecs;
using Chat.Pipeline.Items;
using Chat.Pipeline.Sessions;
using Chat.Pipeline.Stages;
using Chat.Reactor;
using Chat.UnitTests.Pipeline.Codecs;

namespace Chat.UnitTests.Pipeline.Stages;

/// <summary>The deframe stage alone: wire bytes in, frame pieces (still masked), violations, Join and Closed out.</summary>
public sealed class DeframeStageTests
{
    private static Task<List<FrameItem>> RunAsync(StageHarness harness, params WireItem[] items) =>
        StageHarness.RunAsync<WireItem, FrameItem>((input, output) => new DeframeStage(input, output, harness.Options, harness.Faults).RunAsync, items);

    private static WireItem Data(Session session, byte[] bytes) => WireItem.Data(session, StageHarness.Rented(bytes), 0, bytes.Length);

    private static byte[] Unmasked(FrameItem piece)
    {
        var bytes = piece.Buffer.AsSpan(0, piece.Count).ToArray();
        Unmasker.Unmask(bytes, piece.Header.MaskKey, piece.Offset);
        return bytes;
    }

    [Fact]
    public async Task Closed_passes_through_behind_the_bytes_and_drops_the_decoder_made_at_the_first_bytes()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync();
        var frame = ClientFrame.Build(Opcode.Text, "half"u8);

        var written = await RunAsync(harness, Data(session, frame[..3]), WireItem.Closed(session));

        Assert.Equal([ItemKind.Closed], written.Select(i => i.Kind));
        Assert.Same(session, written[0].Session);
        Assert.Null(session.Deframe);
    }

    [Fact]
    public async Task A_frame_split_across_three_reads_comes_out_as_masked_pieces_that_end_the_frame_on_the_last()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync();
        var text = Encoding.UTF8.GetBytes("{\"messageType\":\"chatMessage\",\"comment\":\"split in three\"}");
        var frame = ClientFrame.Build(Opcode.Text, text);

        var written = await RunAsync(harness, Data(session, frame[..1]), Data(session, frame[1..20]), Data(session, frame[20..]));

        var pieces = written.Where(i => i.Kind == ItemKind.FramePart).ToList();
        Assert.Equal(2, pieces.Count);
        Assert.All(pieces, p => Assert.Equal(StageHarness.MaskKey, p.Header.MaskKey));
        Assert.Equal([false, true], pieces.Select(p => p.FrameEnd));
        Assert.Equal(0, pieces[0].Offset);
        Assert.Equal(pieces[0].Count, pieces[1].Offset);
        Assert.Equal(text, pieces.SelectMany(Unmasked).ToArray());
        Assert.NotEqual(text, pieces.SelectMany(p => p.Buffer.AsSpan(0, p.Count).ToArray()).ToArray());
        foreach (var piece in pieces) BufferPool.Shared.Return(piece.Buffer!);
    }

    [Fact]
    public async Task Many_frames_in_one_read_come_out_one_item_each_and_an_empty_frame_has_no_buffer()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync();
        var bytes = ClientFrame.Concat(
            ClientFrame.Build(Opcode.Text, "one"u8),
            ClientFrame.Build(Opcode.Ping, []),
            ClientFrame.Build(Opcode.Text, "three"u8));

        var written = await RunAsync(harness, Data(session, bytes));

        var pieces = written.Where(i => i.Kind == ItemKind.FramePart).ToList();
        Assert.Equal([Opcode.Text, Opcode.Ping, Opcode.Text], pieces.Select(p => p.Header.Opcode));
        Assert.All(pieces, p => Assert.True(p.FrameEnd));
        Assert.Null(pieces[1].Buffer);
        Assert.Equal("one", Encoding.UTF8.GetString(Unmasked(pieces[0])));
        Assert.Equal("three", Encoding.UTF8.GetString(Unmasked(pieces[2])));
        BufferPool.Shared.Return(pieces[0].Buffer!);
        BufferPool.Shared.Return(pieces[2].Buffer!);
    }

    [Fact]
    public async Task An_unmasked_client_frame_becomes_a_1002_violation_and_the_bytes_after_it_are_not_decoded()
    {
        await using var harness = new StageHarness();
        var (session, _) = await harness.UpgradedSessionAsync();
        var bytes = ClientFrame.Concat(ClientFrame.Build(Opcode.Text, "bare"u8, masked: false), ClientFrame.Build(Opcode.Text, "after"u8));

        var written = await RunAsync(harness, Data(session, bytes), WireItem.Closed(session));

        Assert.Equal([ItemKind.Violation, ItemKind.Closed], written.Select(i => i.Kind));
        Assert.Equal(CloseStatus.ProtocolError, written[0].Violation);
        Assert.False(string.IsNullOrEmpty(written[0].Reason));
    }

    [Fact]
    public async Task A_frame_over_the_message_limit_becomes_a_1009_violation_from_its_header_alone()
    {
        await using var harness = new StageHarness(new Chat.Pipeline.PipelineOptions { MaxMessageBytes = 1024 });
        var (session, _) = await harness.UpgradedSessionAsync();

        var written = await RunAsync(harness, Data(session, [.. ClientFrame.Header(0x1, 1025), 1, 2, 3, 4]));

        Assert.Equal([ItemKind.Violation], written.Select(i => i.Kind));
        Assert.Equal(CloseStatus.MessageTooBig, written[0].Violation);
    }
}
