using System.Globalization;
using System.IO.Compression;
using System.Text;
using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Time-bounded fuzzing of what permessage-deflate reads from attackers: the Sec-WebSocket-Extensions offer and the
/// compressed message bytes. Every input must end in a defined result, never an exception; an inflated message never
/// passes its limit, and an intact one inflates to what was compressed whatever its split. CHAT_FUZZ_SECONDS sets the
/// time per target (default 3).
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class DeflateFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] OfferParts =
    [
        "permessage-deflate", "PERMESSAGE-DEFLATE", "x-webkit-deflate-frame", "server_no_context_takeover", "client_no_context_takeover",
        "server_max_window_bits", "client_max_window_bits", "=", "\"", ",", ";", " ", "\t", "8", "9", "10", "15", "16", "0", "07", "abc",
    ];

    private static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("CHAT_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 3;

    [Fact]
    public void Extension_offer_gives_a_defined_answer_that_fits_its_bound()
    {
        long tried = 0;
        var offers = Gen.Frequency(
            (1, Gen.Byte.Array[0, 120]),
            (4, Gen.OneOf<string>(OfferParts).Array[0, 16].Select(parts => Encoding.ASCII.GetBytes(string.Concat(parts)))));
        offers.Sample(offer =>
        {
            Interlocked.Increment(ref tried);
            var agreement = PerMessageDeflateNegotiation.Negotiate(offer);
            if (!agreement.Accepted) return;
            Assert.True(agreement.ServerMaxWindowBits is 0 or (>= 8 and <= 15), $"window bits {agreement.ServerMaxWindowBits}");
            var answer = new byte[PerMessageDeflateNegotiation.MaxResponseHeaderLength];
            var length = PerMessageDeflateNegotiation.WriteResponseHeader(agreement, answer);
            Assert.StartsWith("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover", Encoding.ASCII.GetString(answer, 0, length));
        }, time: Seconds, threads: 1, print: o => Convert.ToBase64String(o));
        output.WriteLine($"fuzz extension offers: {tried} inputs in {Seconds} s, no failure");
        Assert.True(tried > 0);
    }

    [Fact]
    public void Inflater_gives_a_defined_answer_for_any_bytes_split_anywhere_and_never_passes_its_limit()
    {
        long tried = 0;
        var inputs = Gen.Frequency(
            (1, Gen.Byte.Array[0, 300].Select(soup => (soup, (byte[]?)null))),
            (4, Gen.Select(Gen.Byte[(byte)'a', (byte)'e'].Array[0, 3000], Gen.Select(Gen.Double[0, 1], Gen.Byte).Array[0, 3]).Select((text, mutations) =>
            {
                var compressed = Deflate(text);
                foreach (var (at, value) in mutations) if (compressed.Length > 0) compressed[(int)(at * (compressed.Length - 1))] = value;
                return (compressed, mutations.Length == 0 ? text : null);
            })));
        using var inflater = new Inflater();
        Gen.Select(inputs, Gen.Int[0, 4096], Gen.Int[1, 4000]).Sample((input, cut, limit) =>
        {
            Interlocked.Increment(ref tried);
            var (compressed, original) = input;
            var output = new byte[limit + 1];
            inflater.Reset();
            var written = 0;
            var split = Math.Min(cut, compressed.Length);
            var status = inflater.Inflate(compressed.AsSpan(0, split), output, limit, ref written);
            if (status == InflateStatus.Done) status = inflater.Inflate(compressed.AsSpan(split), output, limit, ref written);
            if (status == InflateStatus.Done) status = inflater.Finish(output, limit, ref written);
            Assert.True(Enum.IsDefined(status));
            Assert.InRange(written, 0, limit + 1);
            if (status == InflateStatus.Done) Assert.InRange(written, 0, limit);
            if (original is not null)
            {
                Assert.Equal(original.Length > limit ? InflateStatus.TooBig : InflateStatus.Done, status);
                if (status == InflateStatus.Done) Assert.Equal(original, output[..written]);
            }
        }, time: Seconds, threads: 1);
        output.WriteLine($"fuzz inflater: {tried} inputs in {Seconds} s, no failure");
        Assert.True(tried > 0);
    }

    private static byte[] Deflate(byte[] text)
    {
        using var stream = new MemoryStream();
        using (var deflate = new DeflateStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(text);
            deflate.Flush();
        }
        var bytes = stream.ToArray();
        var end = bytes.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0x00, 0x00, 0xFF, 0xFF]);
        return end < 0 ? bytes : bytes[..end];
    }
}
