using System.Globalization;
using System.Net;
using Chat.UnitTests.EndToEnd;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Nothing lazy on the hot path (issue 14): before its listening line the server sends one loopback client through
/// every stage, so serving clients afterwards loads no assembly or native library and keeps no file open but its
/// sockets. The issue saw a handshake fail because SharedBuffer.Rent loaded Microsoft.Extensions.ObjectPool on first
/// use, when the descriptors were exhausted. The warm-up itself stores nothing and /metrics does not count it.
/// </summary>
public sealed class WarmUpTests(ITestOutputHelper output)
{
    private const int Rounds = 20;
    private const int HistoryBurst = 200;
    private static readonly TimeSpan RecompileWatch = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Serving_every_kind_of_request_after_the_listening_line_maps_no_new_file_and_keeps_no_descriptor()
    {
        var data = Directory.CreateTempSubdirectory("chat-warm-").FullName;
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["CHAT_DATA_DIR"] = data,
            // Hot methods are recompiled (tier 1) as soon as they are hot, not after the JIT's quiet period.
            ["DOTNET_TC_CallCountingDelayMs"] = "0",
        });
        var mappedBefore = MappedFiles(server.Id);
        var targetsBefore = DescriptorTargets(server.Id).ToList();

        for (var round = 0; round < Rounds; round++) await EveryKindOfRequestAsync(server, round);
        // Hot enough for the JIT to recompile the history's JSON writer: that once loaded System.IO.Pipelines.
        using (var http = ServerProbe.Http(server.HttpUri))
        {
            for (var i = 0; i < HistoryBurst; i++) await http.GetStringAsync("/chat-history?limit=20");
        }
        await EveryKindOfRequestAsync(server, Rounds);

        // Recompiled methods arrive from a background thread, later: so watch for a while, bounded, not just once.
        var loaded = await ChatLoad.EventuallyAsync(() => !MappedFiles(server.Id).SetEquals(mappedBefore), RecompileWatch);
        var mappedAfter = MappedFiles(server.Id);
        Assert.False(loaded, $"files mapped while serving: {string.Join(", ", mappedAfter.Except(mappedBefore))}");
        // The server closes its side of each connection on its own schedule: wait for that, not for a fixed time.
        // The embedded store's read pool may keep one more connection to its database after two reads overlapped:
        // that is the store's, bounded by concurrent reads, not by connections.
        List<string> added = [];
        Assert.True(await ChatLoad.EventuallyAsync(() =>
            {
                added = [.. Added(targetsBefore, DescriptorTargets(server.Id)).Where(target => !target.StartsWith(data, StringComparison.Ordinal))];
                return added.Count == 0;
            }, TimeSpan.FromSeconds(30)),
            $"descriptors open after the requests and not before: {string.Join(", ", added)}\nserver output: {server.Output}");
        var store = Added(targetsBefore, DescriptorTargets(server.Id)).Count();
        output.WriteLine($"{mappedBefore.Count} files mapped and {targetsBefore.Count} descriptors open before {Rounds + 1} rounds of every kind of request and {HistoryBurst} history requests; "
            + $"after them the same files mapped, and {store} more descriptors, all the store's");
    }

    [Fact]
    public async Task The_warm_up_stores_no_message_and_is_not_counted_in_metrics()
    {
        var data = Directory.CreateTempSubdirectory("chat-warm-").FullName;
        var settings = new Dictionary<string, string> { ["CHAT_DATA_DIR"] = data };
        await using (var fresh = await ServerProcess.StartAsync(settings))
        {
            using var http = ServerProbe.Http(fresh.HttpUri);
            var metrics = await http.GetStringAsync("/metrics");
            // This scrape is the first connection and the first request the server counts.
            Assert.Contains("chat_connections_opened_total 1\n", metrics);
            Assert.Contains("chat_http_requests_total 1\n", metrics);
            Assert.Contains("chat_websocket_sessions_total 0\n", metrics);
            Assert.Contains("chat_messages_rejected_total 0\n", metrics);
            Assert.Contains("chat_messages_received_total 0\n", metrics);
            Assert.Empty(await ServerProbe.HistoryAsync(fresh.HttpUri));

            await using var client = await RawClient.OpenWebSocketAsync(fresh.WebSocketUri());
            await client.SendChatAsync("first");
            await client.SendChatAsync("second");
            await client.ReceiveChatsAsync(2);
            Assert.Equal(0, await fresh.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        // A restart warms up again, over stored messages this time (it replays the last one): still nothing stored.
        await using var restarted = await ServerProcess.StartAsync(settings);
        Assert.Equal(["first", "second"], (await ServerProbe.HistoryAsync(restarted.HttpUri)).Select(m => m.Comment));
    }

    /// <summary>
    /// The page and an asset, /healthz, /chat-history, /rooms, /presence, /metrics, a 404, then a chat session with a
    /// replay under a non-ASCII name (normalised through ICU).
    /// </summary>
    private static async Task EveryKindOfRequestAsync(ServerProcess server, int round)
    {
        using (var http = ServerProbe.Http(server.HttpUri))
        {
            foreach (var path in (string[])["/", "/chat.js", "/healthz", "/chat-history?limit=5", "/rooms", "/presence", "/metrics"])
            {
                using var answer = await http.GetAsync(path);
                Assert.True(answer.IsSuccessStatusCode, $"GET {path}: {answer.StatusCode}");
            }
            using var missing = await http.GetAsync("/missing");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri("since=0&name=r%C3%A9und" + round.ToString(CultureInfo.InvariantCulture)));
        await client.ReceiveChatsAsync(round);
        await client.SendChatAsync($"round {round} <b>&amp;</b>");
        Assert.Equal($"round {round} &lt;b&gt;&amp;amp;&lt;/b&gt;", (await client.ReceiveChatsAsync(1))[0].Comment);
        await client.CloseAsync();
    }

    /// <summary>Every file mapped into the process (assemblies, native libraries, the store's files), from /proc.</summary>
    private static HashSet<string> MappedFiles(int processId) =>
    [
        .. File.ReadLines($"/proc/{processId}/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].StartsWith('/'))
            .Select(fields => fields[5]),
    ];

    /// <summary>What <paramref name="after"/> holds more often than <paramref name="before"/>.</summary>
    private static IEnumerable<string> Added(List<string> before, IEnumerable<string> after)
    {
        var left = new List<string>(before);
        foreach (var target in after)
        {
            if (!left.Remove(target)) yield return target;
        }
    }

    private static IEnumerable<string> DescriptorTargets(int processId) =>
        Directory.GetFiles($"/proc/{processId}/fd").Select(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget ?? "?";
            }
            catch (IOException)
            {
                return "closed";
            }
        });
}
