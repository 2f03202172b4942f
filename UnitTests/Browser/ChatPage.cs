using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.UnitTests.Browser;

/// <summary>The chat page in one browser tab, seen the way a user sees it: by its visible elements.</summary>
internal sealed class ChatPage
{
    private readonly ConcurrentQueue<string> _dialogs = new();
    private readonly ConcurrentQueue<string> _socketUrls = new();

    private ChatPage(IPage page)
    {
        Page = page;
        page.Dialog += (_, dialog) =>
        {
            _dialogs.Enqueue(dialog.Message);
            _ = dialog.DismissAsync();
        };
        page.WebSocket += (_, socket) => _socketUrls.Enqueue(socket.Url);
    }

    public IPage Page { get; }

    /// <summary>Each shown message as its text, "username: comment".</summary>
    public ILocator Messages => Page.Locator("#messages .message .body");

    public ILocator Status => Page.Locator("#status");

    public ILocator Alert => Page.Locator("#alert");

    public ILocator Comment => Page.Locator("#comment");

    public ILocator Name => Page.Locator("#name");

    public ILocator Online => Page.Locator("#online");

    /// <summary>Names in the online list.</summary>
    public ILocator People => Page.Locator("#people li");

    /// <summary>The room list's links, each "name" then its badge.</summary>
    public ILocator Rooms => Page.Locator("#room-list a");

    public ILocator CurrentRoom => Page.Locator("#room-list a[aria-current=page]");

    /// <summary>Types a room name into the join box and presses Enter; the page switches to it.</summary>
    public async Task JoinRoomAsync(string room)
    {
        await Page.Locator("#room").FillAsync(room);
        await Page.Locator("#room").PressAsync("Enter");
        await ExpectConnectedAsync();
    }

    /// <summary>Messages of every alert, confirm or prompt the page opened (dismissed at once).</summary>
    public IReadOnlyCollection<string> Dialogs => _dialogs;

    /// <summary>The URL of every WebSocket the page opened, in order.</summary>
    public IReadOnlyCollection<string> SocketUrls => _socketUrls;

    /// <summary>Opens the page and waits until it is connected.</summary>
    public static async Task<ChatPage> OpenAsync(IBrowserContext context, Uri uri)
    {
        var chat = new ChatPage(await context.NewPageAsync());
        await chat.Page.GotoAsync(uri.ToString());
        await chat.ExpectConnectedAsync();
        return chat;
    }

    public async Task ExpectConnectedAsync() => await Expect(Status).ToHaveTextAsync("connected");

    /// <summary>Types a name and presses Enter, as a user would; the page reconnects under that name.</summary>
    public async Task SetNameAsync(string name)
    {
        await Name.FillAsync(name);
        await Name.PressAsync("Enter");
        await ExpectConnectedAsync();
    }

    /// <summary>Types a message and presses Enter.</summary>
    public async Task SendAsync(string comment)
    {
        await Comment.FillAsync(comment);
        await Comment.PressAsync("Enter");
    }

    public async Task ReloadAsync()
    {
        await Page.ReloadAsync();
        await ExpectConnectedAsync();
    }
}
