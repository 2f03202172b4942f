using System.Globalization;
using System.Text;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Pipeline.Codecs;
using CsCheck;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Time-bounded fuzzing of the two parsers that read attacker bytes first: the HTTP head scanner/parser and the frame
/// decoder. Inputs are random bytes and mutated valid input; each must end in a defined result, never an exception or
/// a stall, and the result must not depend on how the bytes were split into reads. CHAT_FUZZ_SECONDS sets the time per
/// target (default 3 in the normal suite; <c>./build.sh --target=Fuzz</c> runs 60).
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Methods = ["GET", "POST", "HEAD", "PUT", "OPTIONS", "G(T", ""];
    private static readonly string[] Versions = ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.", "http/1.1", "HTTP/1.1 "];
    private static readonly string[] HeaderNames =
        ["Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Origin", "Content-Length", "Transfer-Encoding", "X-A", "Bad Name", ""];

    private static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("CHAT_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 3;

    [Fact]
    public void Http_head_scanner_and_parser_give_a_defined_answer_for_any_bytes_split_anywhere()
    {
        long tried = 0;
        Gen.Select(HeadInput, Gen.Int[0, 4096].Array[0, 6]).Sample((head, cuts) =>
        {
            Interlocked.Increment(ref tried);
            var whole = new HeadTerminatorScanner().Scan(head);
            Assert.Equal(whole, ScanSplit(head, cuts));
            var error = HttpHeadParser.Parse(head, out var parsed);
            Assert.True(Enum.IsDefined(error), $"a defined error, got {error}");
            if (error is HttpParseError.None or HttpParseError.HasBody)
            {
                foreach (var range in new[] { parsed.MethodToken, parsed.Path, parsed.Query, parsed.Host, parsed.Upgrade, parsed.Connection, parsed.SecWebSocketKey, parsed.Origin })
                {
                    var (offset, length) = range.GetOffsetAndLength(head.Length);
                    Assert.InRange(offset + length, 0, head.Length);
                }
                Assert.True(parsed.MethodToken.GetOffsetAndLength(head.Length).Length > 0, "a parsed request has a method");
                Assert.InRange(parsed.VersionMinor, 0, 1);
            }
        }, time: Seconds, threads: 1, print: t => Convert.ToBase64String(t.Item1));
        output.WriteLine($"fuzz http head: {tried} inputs in {Seconds} s, no failure");
        Assert.True(tried > 0);
    }

    [Fact]
    public void Frame_decoder_gives_a_defined_answer_for_any_bytes_split_anywhere_and_never_exceeds_its_limits()
    {
        long tried = 0;
        Gen.Select(FrameInput, Gen.Int[0, 4096].Array[0, 8], Gen.Int[125, 3000]).Sample((input, cuts, maxFrame) =>
        {
            Interlocked.Increment(ref tried);
            var (stream, frames, mutated) = input;
            var maxMessage = maxFrame * 2L;
            var whole = DecodedStream.Whole(stream, maxFrame, maxMessage);
            DecodedStream.Decode(stream, cuts.Order(), maxFrame, maxMessage).AssertSameAs(whole);
            Assert.True(whole.Error is null or CloseStatus.ProtocolError or CloseStatus.MessageTooBig, $"a defined close code, got {whole.Error}");
            Assert.Equal(whole.Error is null, whole.ErrorReason.Length == 0);
            Assert.All(whole.Frames, f => Assert.InRange(f.Payload.Length, 0, maxFrame));
            if (!mutated && frames.All(f => f.Length <= maxFrame))
            {
                Assert.Null(whole.Error);
                Assert.Equal(frames, whole.Frames.Select(f => f.Payload));
            }
        }, time: Seconds, threads: 1, print: t => Convert.ToBase64String(t.Item1.Item1));
        output.WriteLine($"fuzz frame decoder: {tried} inputs in {Seconds} s, no failure");
        Assert.True(tried > 0);
    }

    private static int ScanSplit(byte[] head, int[] cuts)
    {
        var scanner = new HeadTerminatorScanner();
        var start = 0;
        foreach (var cut in cuts.Where(c => c <= head.Length).Order().Append(head.Length))
        {
            if (cut < start) continue;
            var end = scanner.Scan(head.AsSpan(start, cut - start));
            if (end >= 0) return start + end;
            start = cut;
        }
        return -1;
    }

    /// <summary>Random bytes, or a plausible request head (valid or nearly), then a few random byte mutations.</summary>
    private static Gen<byte[]> HeadInput =>
        Gen.Frequency(
            (1, Gen.Byte.Array[0, 600]),
            (4, Gen.Select(PlausibleHead, Mutations).Select((head, mutations) => Mutate(head, mutations))));

    private static Gen<byte[]> PlausibleHead =>
        Gen.Select(
            Gen.OneOf<string>(Methods),
            Gen.Char["/?=&%azAZ09-._~:@ \t\r\n"].Array[0, 40].Select(c => "/" + new string(c)),
            Gen.OneOf<string>(Versions),
            Gen.Select(Gen.OneOf<string>(HeaderNames), Gen.Char["azAZ09 ,;:=\t-/"].Array[0, 30].Select(c => new string(c))).Array[0, 12],
            Gen.OneOf<string>("\r\n", "\n"))
        .Select((method, path, version, headers, eol) =>
        {
            var head = new StringBuilder($"{method} {path} {version}{eol}");
            foreach (var (name, value) in headers) head.Append(name).Append(": ").Append(value).Append(eol);
            return Encoding.Latin1.GetBytes(head.Append(eol).ToString());
        });

    /// <summary>A stream of valid client frames (data and pings), or random bytes; then maybe mutated.</summary>
    private static Gen<(byte[] Stream, byte[][] Frames, bool Mutated)> FrameInput =>
        Gen.Frequency(
            (1, Gen.Byte.Array[0, 300].Select(soup => (soup, Array.Empty<byte[]>(), true))),
            (4, Gen.Select(ValidFrames, Mutations).Select((frames, mutations) =>
            {
                var stream = frames.SelectMany(f => RawClient.Frame(f.Opcode, f.Payload)).ToArray();
                return (Mutate(stream, mutations), frames.Select(f => f.Payload).ToArray(), mutations.Length > 0);
            })));

    private static Gen<(int Opcode, byte[] Payload)[]> ValidFrames =>
        Gen.Frequency(
            // Mostly small frames (fast, many inputs); now and then one past the limit, rarely one in the 64-bit length form.
            (4, Gen.Select(Gen.OneOf<int>(0x1, 0x2), Gen.Frequency((32, Gen.Byte.Array[0, 200]), (8, Gen.Byte.Array[120, 4000]), (1, Gen.Byte.Array[65_536, 66_000])))),
            (1, Gen.Select(Gen.Const(0x9), Gen.Byte.Array[0, 125])))
        .Array[1, 6];

    /// <summary>(position fraction, kind, byte): replace, insert or delete one byte.</summary>
    private static Gen<(double At, int Kind, byte Value)[]> Mutations =>
        Gen.Frequency((1, Gen.Const(Array.Empty<(double, int, byte)>())), (3, Gen.Select(Gen.Double[0, 1], Gen.Int[0, 2], Gen.Byte).Array[1, 4]));

    private static byte[] Mutate(byte[] input, (double At, int Kind, byte Value)[] mutations)
    {
        var bytes = input.ToList();
        foreach (var (at, kind, value) in mutations)
        {
            var i = (int)(at * bytes.Count);
            switch (kind)
            {
                case 0 when i < bytes.Count:
                    bytes[i] = value;
                    break;
                case 1:
                    bytes.Insert(i, value);
                    break;
                case 2 when i < bytes.Count:
                    bytes.RemoveAt(i);
                    break;
            }
        }
        return [.. bytes];
    }
}
