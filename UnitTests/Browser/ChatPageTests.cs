using System.Collections.Concurrent;
using System.Globalization;
using Chat.UnitTests.EndToEnd;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.UnitTests.Browser;

/// <summary>The chat page in headless Chromium against our server on the embedded store, used as a person would.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ChatPageTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task Two_pages_chat_with_each_other()
    {
        await using var server = await TestServer.StartAsync();
        await using var aliceContext = await browser.NewContextAsync();
        await using var bobContext = await browser.NewContextAsync();
        var alice = await ChatPage.OpenAsync(aliceContext, server.HttpUri);
        await alice.SetNameAsync("alice");
        var bob = await ChatPage.OpenAsync(bobContext, server.HttpUri);
        await bob.SetNameAsync("bob");

        await alice.SendAsync("Hi Bob! Is the new chat page live?");
        await Expect(bob.Messages).ToHaveTextAsync(["alice: Hi Bob! Is the new chat page live?"]);
        await bob.SendAsync("It is: history, reconnects and timestamps in local time.");
        // Two pages' sends have no order of their own: alice answers once bob's line is on her page.
        await Expect(alice.Messages).ToHaveTextAsync(["alice: Hi Bob! Is the new chat page live?", "bob: It is: history, reconnects and timestamps in local time."]);
        await alice.SendAsync("And it reads well on a phone, too.");
        await alice.SendAsync("Open it in two tabs and try.");

        string[] conversation =
        [
            "alice: Hi Bob! Is the new chat page live?",
            "bob: It is: history, reconnects and timestamps in local time.",
            "alice: And it reads well on a phone, too.",
            "alice: Open it in two tabs and try.",
        ];
        await Expect(alice.Messages).ToHaveTextAsync(conversation);
        await Expect(bob.Messages).ToHaveTextAsync(conversation);
        await Expect(alice.Comment).ToBeEmptyAsync();
        await Expect(alice.Online).ToHaveTextAsync("2 online");
        await Expect(bob.Online).ToHaveTextAsync("2 online");
        await Expect(alice.Page.Locator("#messages .message.mine")).ToHaveCountAsync(3);
        await alice.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "chat-page.png") });
    }

    [BrowserFact]
    public async Task Reload_shows_the_history_once_and_keeps_the_name()
    {
        await using var server = await TestServer.StartAsync();
        await using var context = await browser.NewContextAsync();
        var page = await ChatPage.OpenAsync(context, server.HttpUri);
        await page.SetNameAsync("carol");
        for (var i = 1; i <= 3; i++) await page.SendAsync($"note {i}");
        await Expect(page.Messages).ToHaveCountAsync(3);

        await page.ReloadAsync();

        await Expect(page.Name).ToHaveValueAsync("carol");
        await Expect(page.Messages).ToHaveTextAsync(["carol: note 1", "carol: note 2", "carol: note 3"]);
        await Expect(page.Page.Locator("#messages .message.mine")).ToHaveCountAsync(3);
        await page.SendAsync("after reload");
        await Expect(page.Messages).ToHaveTextAsync(["carol: note 1", "carol: note 2", "carol: note 3", "carol: after reload"]);
        Assert.Contains("name=carol", page.SocketUrls.Last(), StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task Html_and_script_payloads_appear_as_text_and_never_run()
    {
        await using var server = await TestServer.StartAsync();
        await using var context = await browser.NewContextAsync();
        var page = await ChatPage.OpenAsync(context, server.HttpUri);
        const string name = "<img src=y onerror=alert(3)>";
        await page.SetNameAsync(name);
        var elementsBefore = await CountElementsOutsideMessagesAsync(page.Page);

        string[] payloads =
        [
            "<img src=x onerror=alert(1)>",
            "<script>alert(2)</script>",
            "<svg onload=alert(4)></svg>\" onmouseover=\"alert(5)",
        ];
        foreach (var payload in payloads) await page.SendAsync(payload);

        await Expect(page.Messages).ToHaveTextAsync(payloads.Select(p => $"{name}: {p}").ToArray());
        // Had the quote escaped its attribute, hovering would fire the handler.
        await page.Messages.Last.HoverAsync();
        // Each message holds exactly the <b> the page wraps the name in; nothing the user typed became an element.
        var children = await page.Messages.EvaluateAllAsync<string[]>(
            "bodies => bodies.map(b => Array.from(b.querySelectorAll('*'), e => e.tagName).join(','))");
        Assert.All(children, tags => Assert.Equal("B", tags));
        Assert.Equal(elementsBefore, await CountElementsOutsideMessagesAsync(page.Page));
        Assert.Equal(0, await page.Page.Locator("#people img, #people svg, #people script, #room-list img, #room-list svg, #room-list script").CountAsync());
        Assert.Equal(1, await page.Page.Locator("script").CountAsync());
        Assert.Empty(page.Dialogs);
    }

    [BrowserFact]
    public async Task Server_error_frame_is_shown_and_the_text_given_back()
    {
        var settings = new Dictionary<string, string> { ["CHAT_MAX_COMMENT_CHARS"] = "10" };
        await using var server = await TestServer.StartAsync(settings: settings);
        await using var context = await browser.NewContextAsync();
        var page = await ChatPage.OpenAsync(context, server.HttpUri);

        await page.SendAsync("far longer than ten characters");

        await Expect(page.Alert).ToBeVisibleAsync();
        await Expect(page.Alert).ToContainTextAsync("The server refused the message:");
        await Expect(page.Comment).ToHaveValueAsync("far longer than ten characters");
        await Expect(page.Messages).ToHaveCountAsync(0);

        await page.SendAsync("short");
        await Expect(page.Messages).ToHaveCountAsync(1);
        await Expect(page.Alert).ToBeHiddenAsync();
    }

    [BrowserFact]
    public async Task Timestamps_are_shown_in_the_browsers_time_zone()
    {
        await using var server = await TestServer.StartAsync();
        // India has had one offset, +05:30, and no daylight saving time since 1945.
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { TimezoneId = "Asia/Kolkata" });
        var page = await ChatPage.OpenAsync(context, server.HttpUri);

        await page.SendAsync("what time is it?");

        var time = page.Page.Locator("#messages .message time");
        await Expect(time).ToHaveCountAsync(1);
        var sent = DateTimeOffset.Parse(await time.GetAttributeAsync("datetime") ?? "", CultureInfo.InvariantCulture);
        var local = sent.ToOffset(TimeSpan.FromMinutes(330));
        await Expect(time).ToHaveTextAsync(local.ToString("HH:mm", CultureInfo.InvariantCulture));
    }

    [BrowserFact]
    public async Task Page_loads_without_console_errors_or_failed_requests()
    {
        await using var server = await TestServer.StartAsync();
        await using var context = await browser.NewContextAsync();
        var problems = new ConcurrentQueue<string>();
        context.Console += (_, message) => { if (message.Type is "error" or "warning") problems.Enqueue($"console {message.Type}: {message.Text}"); };
        context.RequestFailed += (_, request) => problems.Enqueue($"failed: {request.Url}");
        context.Response += (_, response) => { if (response.Status >= 400) problems.Enqueue($"{response.Status}: {response.Url}"); };

        var page = await ChatPage.OpenAsync(context, server.HttpUri);
        await page.SendAsync("hello");
        await Expect(page.Messages).ToHaveCountAsync(1);
        await Expect(page.Online).ToHaveTextAsync("1 online");

        Assert.Empty(problems);
    }

    [BrowserFact]
    public async Task Page_fits_a_phone_screen_without_sideways_scrolling()
    {
        await using var server = await TestServer.StartAsync();
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 375, Height = 667 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            // Dark, so that the screenshot shows the other colour scheme as well.
            ColorScheme = ColorScheme.Dark,
        });
        var page = await ChatPage.OpenAsync(context, server.HttpUri);
        await page.SetNameAsync("dana");
        await page.SendAsync("A message long enough to wrap onto several lines on a phone screen, with a long-unbreakable-word-like-https://example.invalid/a/very/long/path/that/must/wrap");
        await page.SendAsync("Short one.");
        await Expect(page.Messages).ToHaveCountAsync(2);

        var overflow = await page.Page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page scrolls sideways by {overflow} px");
        var box = await page.Comment.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.Y + box.Height <= 667 && box.Width >= 200, $"the message input is at {box.Y}+{box.Height}, {box.Width} wide");
        await page.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "chat-page-phone.png") });
    }

    /// <summary>
    /// Elements outside the lists the page fills from the server (messages, the people online, the rooms): those lists
    /// change as presence frames arrive, so they are checked on their own.
    /// </summary>
    private static async Task<int> CountElementsOutsideMessagesAsync(IPage page) =>
        await page.EvaluateAsync<int>("document.querySelectorAll('*').length - document.querySelectorAll('#messages *, #people *, #room-list *').length");
}
