using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Chat.UnitTests.EndToEnd;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Issue 19 item 7 (and issue 14 item 5): abuse is logged, one summary line per source address and period, however
/// many protocol errors, refused requests and limit closes the address causes.
/// </summary>
public sealed partial class AbuseLogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_flood_of_abuse_from_two_addresses_is_one_summary_line_per_address_and_period()
    {
        const int each = 60;
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["CHAT_DATA_DIR"] = Directory.CreateTempSubdirectory("chat-abuse-").FullName,
            ["CHAT_ABUSE_REPORT_SECONDS"] = "1",
            ["CHAT_MAX_CONTROL_FRAMES_PER_SECOND"] = "5",
        });
        var started = DateTime.UtcNow;
        await Task.WhenAll(Abuse(server.EndPoint, IPAddress.Loopback, each), Abuse(server.EndPoint, IPAddress.Parse("127.0.0.2"), each));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        // Each address's counts land in one line of some period; wait (bounded) until both addresses' totals are in.
        Assert.True(await ChatLoad.EventuallyAsync(() => Totals(server.Output, "127.0.0.1") == (each, each, each) && Totals(server.Output, "127.0.0.2") == (each, each, each),
            TimeSpan.FromSeconds(20)), $"the summaries do not add up to {each} of each kind per address:\n{server.Output}");
        var lines = server.Output.Split('\n').Where(l => l.Contains("client 127.0.0.", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{3 * each} abuses from each of 2 addresses in {seconds:F1} s: {lines.Count} summary lines\n{string.Join('\n', lines)}");
        // One line per address and period: the flood spans at most a few periods of 1 s, plus the one that flushes it.
        Assert.InRange(lines.Count, 2, 2 * ((int)Math.Ceiling(seconds) + 2));
        Assert.DoesNotContain(server.Output.Split('\n'), l => l.Contains("fail:", StringComparison.Ordinal));
    }

    /// <summary>From one source address: bad requests (400), ping floods (1008) and bad frames (1002), each <paramref name="each"/> times.</summary>
    private static async Task Abuse(IPEndPoint server, IPAddress source, int each)
    {
        for (var i = 0; i < each; i++)
        {
            await using (var bad = await RawClient.ConnectAsync(server, source))
            {
                await bad.SendAsync("GET / HTTP/1.1\r\nBad Header\r\n\r\n");
                Assert.Equal(400, RawClient.StatusOf(await bad.ReadHeadAsync()));
            }
            await using (var pinger = await RawClient.ConnectAsync(server, source))
            {
                Assert.Equal(101, await pinger.UpgradeAsync());
                await pinger.SendAsync(Enumerable.Range(0, 20).SelectMany(_ => RawClient.Frame(0x9, "x"u8)).ToArray());
                Assert.Equal(1008, await pinger.ReadCloseCodeAsync());
            }
            await using (var violator = await RawClient.ConnectAsync(server, source))
            {
                Assert.Equal(101, await violator.UpgradeAsync());
                await violator.SendAsync(new byte[] { 0x81, 0x01, 0x78 });
                Assert.Equal(1002, await violator.ReadCloseCodeAsync());
            }
        }
    }

    /// <summary>Sums the counts of every summary line of one address.</summary>
    private static (int Protocol, int Refused, int Limit) Totals(string log, string address)
    {
        var totals = (Protocol: 0, Refused: 0, Limit: 0);
        foreach (var line in log.Split('\n').Where(l => l.Contains($"client {address} in the last", StringComparison.Ordinal)))
        {
            totals.Protocol += Count(ProtocolErrors().Match(line));
            totals.Refused += Count(RefusedRequests().Match(line));
            totals.Limit += Count(LimitCloses().Match(line));
        }
        return totals;
    }

    private static int Count(Match match) => match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"(\d+) protocol errors")]
    private static partial Regex ProtocolErrors();

    [GeneratedRegex(@"(\d+) refused requests")]
    private static partial Regex RefusedRequests();

    [GeneratedRegex(@"(\d+) limit closes")]
    private static partial Regex LimitCloses();
}
