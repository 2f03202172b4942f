using Chat.UnitTests.EndToEnd;
using static Microsoft.Playwright.Assertions;

namespace Chat.UnitTests.Browser;

/// <summary>
/// The chat page with permessage-deflate negotiated: Chromium always offers it (and compresses what it sends), so with
/// the setting on every socket of the page is a compressed one, and long lines arrive compressed, short ones plain.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageDeflateTests(BrowserFixture browser)
{
    // Records each socket the page opens, to read the extensions the server agreed to once it is open.
    private const string RecordSockets = """
        (() => {
          const Native = window.WebSocket;
          window.__sockets = [];
          window.WebSocket = function (url, protocols) {
            const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
            window.__sockets.push(socket);
            return socket;
          };
          window.WebSocket.prototype = Native.prototype;
          Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
        })();
        """;

    [BrowserFact]
    public async Task Two_pages_chat_with_deflate_negotiated()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_PERMESSAGE_DEFLATE"] = "on" });
        await using var aliceContext = await browser.NewContextAsync();
        await using var bobContext = await browser.NewContextAsync();
        await aliceContext.AddInitScriptAsync(RecordSockets);
        var alice = await ChatPage.OpenAsync(aliceContext, server.HttpUri);
        await alice.SetNameAsync("alice");
        var bob = await ChatPage.OpenAsync(bobContext, server.HttpUri);
        await bob.SetNameAsync("bob");

        var longLine = string.Join(' ', Enumerable.Repeat("a long line that deflate shrinks well,", 20));
        string[] conversation = ["alice: short line", $"bob: {longLine}", "alice: and short again"];
        // Each line is sent once the one before it came back: two pages' sends have no order of their own (a page
        // still reconnecting after its name change sends when its socket opens), and the order is what is checked.
        await alice.SendAsync("short line");
        await Expect(alice.Messages).ToHaveTextAsync(conversation[..1]);
        await bob.SendAsync(longLine);
        await Expect(alice.Messages).ToHaveTextAsync(conversation[..2]);
        await alice.SendAsync("and short again");

        await Expect(alice.Messages).ToHaveTextAsync(conversation);
        await Expect(bob.Messages).ToHaveTextAsync(conversation);
        var extensions = await alice.Page.EvaluateAsync<string>("window.__sockets.filter(s => s.readyState === 1).map(s => s.extensions).join('|')");
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover", extensions);
    }
}
