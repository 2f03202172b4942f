using Chat.UnitTests.EndToEnd;
using static Microsoft.Playwright.Assertions;

namespace Chat.UnitTests.Browser;

public sealed partial class ChatPageTests
{
    [BrowserFact]
    public async Task Two_rooms_keep_their_own_conversations_and_the_other_room_shows_unread()
    {
        await using var server = await TestServer.StartAsync();
        await using var aliceContext = await browser.NewContextAsync();
        await using var bobContext = await browser.NewContextAsync();
        var alice = await ChatPage.OpenAsync(aliceContext, server.HttpUri);
        var bob = await ChatPage.OpenAsync(bobContext, server.HttpUri);
        await alice.SetNameAsync("alice");
        await bob.SetNameAsync("bob");

        await bob.JoinRoomAsync("Lobby");
        await Expect(bob.CurrentRoom).ToContainTextAsync("lobby");
        Assert.EndsWith("#lobby", bob.Page.Url);
        await bob.SendAsync("only in the lobby");
        await alice.SendAsync("only in general");

        await Expect(bob.Messages).ToHaveTextAsync(["bob: only in the lobby"]);
        await Expect(alice.Messages).ToHaveTextAsync(["alice: only in general"]);
        // Alice never saw the lobby: its one message counts as unread in her room list (refreshed on a room switch).
        await alice.JoinRoomAsync("elsewhere");
        await Expect(alice.Page.Locator("#room-list a[href='#lobby'] .unread")).ToHaveTextAsync("1");
        await alice.Page.Locator("#room-list a[href='#lobby']").ClickAsync();
        await alice.ExpectConnectedAsync();
        await Expect(alice.Messages).ToHaveTextAsync(["bob: only in the lobby"]);
    }

    [BrowserFact]
    public async Task Presence_across_two_tabs_lists_both_names_and_drops_a_closed_tab()
    {
        await using var server = await TestServer.StartAsync();
        await using var context = await browser.NewContextAsync();
        await using var otherContext = await browser.NewContextAsync();
        var first = await ChatPage.OpenAsync(context, new Uri(server.HttpUri, "/#team"));
        await first.SetNameAsync("dana");
        var second = await ChatPage.OpenAsync(otherContext, new Uri(server.HttpUri, "/#team"));
        await second.SetNameAsync("<erin>");

        await Expect(first.People).ToHaveTextAsync(["<erin>", "dana"]);
        await Expect(second.People).ToHaveTextAsync(["<erin>", "dana"]);
        await Expect(first.Online).ToHaveTextAsync("2 online");
        Assert.Empty(first.Dialogs);

        await second.Page.CloseAsync();
        await Expect(first.People).ToHaveTextAsync(["dana"]);
        await Expect(first.Online).ToHaveTextAsync("1 online");
    }

    [BrowserFact]
    public async Task A_room_link_opens_that_room_with_its_history()
    {
        await using var server = await TestServer.StartAsync();
        await using var writerContext = await browser.NewContextAsync();
        var writer = await ChatPage.OpenAsync(writerContext, new Uri(server.HttpUri, "/#book-club"));
        await writer.SetNameAsync("frank");
        await writer.SendAsync("chapter 3 tonight");
        await Expect(writer.Messages).ToHaveTextAsync(["frank: chapter 3 tonight"]);

        await using var readerContext = await browser.NewContextAsync();
        var reader = await ChatPage.OpenAsync(readerContext, new Uri(server.HttpUri, "/#book-club"));

        await Expect(reader.Messages).ToHaveTextAsync(["frank: chapter 3 tonight"]);
        await Expect(reader.CurrentRoom).ToContainTextAsync("book-club");
        Assert.Contains(reader.SocketUrls, url => url.Contains("room=book-club", StringComparison.Ordinal));
    }
}
