using Chat.UnitTests.EndToEnd;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.UnitTests.Browser;

/// <summary>
/// Issue 16 item 7: a minimal course-style page (CoursePage/, served as the server's page through CHAT_WWWROOT) in
/// Chromium: history and chat rendered from innerHTML with nothing executed, and a signalling round trip.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CoursePageTests(BrowserFixture browser)
{
    private static string Root => Path.Combine(AppContext.BaseDirectory, "Browser", "CoursePage");

    [BrowserFact]
    public async Task Chat_renders_escaped_html_and_executes_nothing()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_WWWROOT"] = Root });
        await using var context = await browser.NewContextAsync();
        var alice = await OpenAsync(context, server, 1);
        var bob = await OpenAsync(context, server, 2);
        const string Attack = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=1</script> <b>bold?</b>";

        await alice.Locator("#comment").FillAsync(Attack);
        await alice.Locator("#send").ClickAsync();

        await Expect(bob.Locator("#chat p")).ToHaveCountAsync(1);
        await Expect(bob.Locator("#chat p b")).ToHaveCountAsync(1);
        await Expect(bob.Locator("#chat p")).ToContainTextAsync(": " + Attack);
        await Expect(bob.Locator("#chat img")).ToHaveCountAsync(0);
        Assert.Equal("undefined", await bob.EvaluateAsync<string>("typeof window.pwned"));
        Assert.Equal("undefined", await alice.EvaluateAsync<string>("typeof window.pwned"));

        var later = await OpenAsync(context, server, 3);
        await Expect(later.Locator("#chat p")).ToContainTextAsync(": " + Attack);
        Assert.Equal("undefined", await later.EvaluateAsync<string>("typeof window.pwned"));
    }

    [BrowserFact]
    public async Task A_call_offer_gets_its_answer_and_candidate_through_the_server()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_WWWROOT"] = Root });
        await using var context = await browser.NewContextAsync();
        var caller = await OpenAsync(context, server, 1);
        var callee = await OpenAsync(context, server, 2);

        await caller.Locator("#call").ClickAsync();

        await Expect(callee.Locator("#signals li")).ToHaveTextAsync([new System.Text.RegularExpressions.Regex("^offer offer-1 from User\\d+$"), new System.Text.RegularExpressions.Regex("^candidate candidate-1 from User\\d+$")]);
        await Expect(caller.Locator("#signals li")).ToHaveTextAsync([new System.Text.RegularExpressions.Regex("^answer answer-to-offer-1 from User\\d+$")]);
    }

    /// <summary>Opens the page and waits until the server counts <paramref name="online"/> connections in general.</summary>
    private static async Task<IPage> OpenAsync(IBrowserContext context, TestServer server, int online)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.HttpUri.ToString());
        await page.WaitForFunctionAsync("() => socket.readyState === WebSocket.OPEN");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await CountsAsync(http, online))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the server never counted {online} online");
            await Task.Delay(50);
        }
        return page;
    }

    private static async Task<bool> CountsAsync(HttpClient http, int online)
    {
        using var rooms = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/rooms"));
        return rooms.RootElement.EnumerateArray().Any(r => r.GetProperty("room").GetString() == "general" && r.GetProperty("online").GetInt32() == online);
    }
}
