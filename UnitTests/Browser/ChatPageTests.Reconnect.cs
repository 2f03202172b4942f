using Chat.UnitTests.EndToEnd;
using static Microsoft.Playwright.Assertions;

namespace Chat.UnitTests.Browser;

public sealed partial class ChatPageTests
{
    [BrowserFact]
    public async Task After_a_server_restart_the_page_reconnects_and_catches_up_without_duplicates()
    {
        await using var server = await TestServer.StartAsync();
        var dataDirectory = server.DataDirectory;
        var port = server.EndPoint.Port;
        await using var context = await browser.NewContextAsync();
        var page = await ChatPage.OpenAsync(context, server.HttpUri);
        await page.SetNameAsync("erin");
        await page.SendAsync("before 1");
        await page.SendAsync("before 2");
        await Expect(page.Messages).ToHaveCountAsync(2);
        var lastSeen = await page.Page.Locator("#messages .message").Last.GetAttributeAsync("data-id");

        Assert.True(await server.StopAsync(), "the server drained before stopping");
        await Expect(page.Status).ToContainTextAsync("offline");
        // Messages posted while the page is away, through a server on another port over the same data.
        await using (var elsewhere = await TestServer.StartAsync(dataDirectory: dataDirectory))
        {
            await using var frank = await RawClient.OpenWebSocketAsync(elsewhere.WebSocketUri("name=frank"));
            await frank.SendChatAsync("missed 1");
            await frank.SendChatAsync("missed 2");
            await frank.ReceiveChatsAsync(2);
        }
        await using var restarted = await TestServer.StartAsync(dataDirectory: dataDirectory, port: port);

        await page.ExpectConnectedAsync();
        await Expect(page.Messages).ToHaveTextAsync(["erin: before 1", "erin: before 2", "frank: missed 1", "frank: missed 2"]);
        Assert.Contains($"since={lastSeen}", page.SocketUrls.Last(), StringComparison.Ordinal);
        await page.SendAsync("after");
        await Expect(page.Messages).ToHaveTextAsync(["erin: before 1", "erin: before 2", "frank: missed 1", "frank: missed 2", "erin: after"]);
    }

    [BrowserFact]
    public async Task Message_typed_while_disconnected_shows_a_failure_and_is_kept()
    {
        await using var server = await TestServer.StartAsync();
        var dataDirectory = server.DataDirectory;
        var port = server.EndPoint.Port;
        await using var context = await browser.NewContextAsync();
        var page = await ChatPage.OpenAsync(context, server.HttpUri);

        Assert.True(await server.StopAsync(), "the server drained before stopping");
        await Expect(page.Status).ToContainTextAsync("offline");
        await page.SendAsync("are you there?");

        await Expect(page.Alert).ToBeVisibleAsync();
        await Expect(page.Alert).ToContainTextAsync("Not sent");
        await Expect(page.Comment).ToHaveValueAsync("are you there?");
        await Expect(page.Messages).ToHaveCountAsync(0);

        await using var restarted = await TestServer.StartAsync(dataDirectory: dataDirectory, port: port);
        await page.ExpectConnectedAsync();
        await Expect(page.Alert).ToBeHiddenAsync();
        await page.Comment.PressAsync("Enter");
        await Expect(page.Messages).ToHaveCountAsync(1);
        await Expect(page.Messages).ToContainTextAsync(["are you there?"]);
    }
}
