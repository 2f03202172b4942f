using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Markup in comments and names is stored and broadcast escaped, so that no page that inserts it can run it: the live
/// frame, the replay and /chat-history all carry the same escaped text.
/// </summary>
public sealed class XssTests
{
    public static TheoryData<string> Payloads =>
    [
        "<img src=x onerror=alert(1)>",
        "\"><script>alert(document.cookie)</script>",
        "'><svg/onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "&lt;already escaped&gt; & <b>bold</b>",
        "</textarea><iframe src=//evil.example>",
        "<<script>>alert(1)<</script>>",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Markup_in_a_comment_and_a_name_is_stored_and_broadcast_escaped(string payload)
    {
        await using var server = await TestServer.StartAsync();
        await using var sender = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=" + Uri.EscapeDataString(payload[..Math.Min(payload.Length, 32)])));
        await using var reader = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await sender.SendChatAsync(payload);

        var live = ChatFrame.From(await reader.ReceiveAsync());
        Assert.Equal(ExpectedHtml.Escape(payload), live.Comment);
        Assert.Equal(ExpectedHtml.Escape(payload[..Math.Min(payload.Length, 32)].Trim()), live.Username);
        Assert.DoesNotContain(live.Comment, c => c is '<' or '>' or '"' or '\'');
        Assert.DoesNotContain(live.Username, c => c is '<' or '>' or '"' or '\'');

        Assert.Equal(live, Assert.Single(await ServerProbe.HistoryAsync(server.HttpUri)));
        await using var replay = await RawClient.OpenWebSocketAsync(server.WebSocketUri("since=0"));
        Assert.Equal(live, ChatFrame.From(await replay.ReceiveAsync()));
    }
}
