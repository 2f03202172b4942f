using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Text that would break string-built SQL goes through the server and comes back unchanged (after HTML escaping) from
/// the live frame, /chat-history and the database itself: every storage access is parameterised or COPY. Run once
/// per store by the derived classes.
/// </summary>
public abstract class SqlSafetyTests(ITestOutputHelper output)
{
    private const string Name = "o'brien\"; --\\";

    public static readonly string[] Comments =
    [
        "'; DROP TABLE chat_messages; --",
        "Robert'); DELETE FROM chat_messages WHERE ('1'='1",
        "x' || (SELECT current_user) || '",
        "\\' OR 1=1 -- \\\\",
        "literal escapes: \\x00 \\0 \\u0000 E'\\n' \\\\N",
        "$$ $body$ dollar quotes $1 @p0 :name ? %s",
        "% _ [ ] ^ LIKE wildcards",
        "SELECT pg_sleep(10); PRAGMA writable_schema=1;",
        "tab\there\r\nnew line\u000b\u000c",
        "\u0001\u0002\u001b[31m\u001f\u007f controls",
        "\u0080\u0085\u009f C1 \u2028\u2029 separators",
        "4-byte UTF-8: \U0001F600 \U0001D11E \U0001F1FA\U0001F1F3 \U0010FFFD",
        "\uFEFF BOM, \uFFFD replacement, \uFFFF noncharacter",
        "\"double\" 'single' `back`",
        ";",
    ];

    /// <summary>A server on a fresh store, and a way to read that store's rows (id order) without the server.</summary>
    private protected abstract Task<(TestServer Server, Func<Task<List<(long Id, string Username, string Comment)>>> Rows)> StartAsync();

    [StoreFact]
    public async Task Comments_full_of_quotes_backslashes_controls_and_4_byte_utf8_come_back_unchanged_after_escaping()
    {
        var (server, rows) = await StartAsync();
        await using (server)
        {
            await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=" + Uri.EscapeDataString(Name)));
            foreach (var comment in Comments) await client.SendChatAsync(comment);
            var live = await client.ReceiveChatsAsync(Comments.Length);

            Assert.Equal(Comments.Select(ExpectedHtml.Escape), live.Select(f => f.Comment));
            Assert.All(live, f => Assert.Equal(ExpectedHtml.Escape(Name), f.Username));
            Assert.Equal(live, await ServerProbe.HistoryAsync(server.HttpUri));
            var stored = await rows();
            Assert.Equal(live.Select(f => (f.Id, f.Username, f.Comment)), stored);
            output.WriteLine($"{Comments.Length} hostile comments stored and read back unchanged from the frame, /chat-history and the table");
        }
    }

    [StoreFact]
    public async Task A_comment_holding_U0000_gets_an_error_frame_and_nothing_is_stored()
    {
        var (server, rows) = await StartAsync();
        await using (server)
        {
            await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
            await client.SendChatAsync("nul \0 inside");
            Assert.Equal("error", (await client.ReceiveAsync()).GetProperty("messageType").GetString());
            await client.SendChatAsync("after");
            Assert.Equal("after", ChatFrame.From(await client.ReceiveAsync()).Comment);
            Assert.Equal(["after"], (await rows()).Select(r => r.Comment));
        }
    }
}
