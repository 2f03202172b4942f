using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Tls;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.UnitTests.Browser;

/// <summary>The chat page over https and wss: what a browser needs from a server put in front of users.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageTlsTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task Two_pages_chat_over_https_and_wss()
    {
        using var certificate = TestCertificate.Create();
        await using var server = await TestServer.StartAsync(settings: certificate.Settings);
        var https = new Uri($"https://{server.EndPoint}/");
        // This test's contexts only: the certificate is signed by a CA made in the test, which Chromium does not know.
        var options = new BrowserNewContextOptions { IgnoreHTTPSErrors = true };
        await using var aliceContext = await browser.NewContextAsync(options);
        await using var bobContext = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var alice = await ChatPage.OpenAsync(aliceContext, https);
        await alice.SetNameAsync("alice");
        var bob = await ChatPage.OpenAsync(bobContext, https);
        await bob.SetNameAsync("bob");

        string[] conversation = ["alice: Is this encrypted?", "bob: End to server, yes: wss."];
        await alice.SendAsync("Is this encrypted?");
        // Two pages' sends have no order of their own: bob answers once alice's line is on his page.
        await Expect(bob.Messages).ToHaveTextAsync(conversation[..1]);
        await bob.SendAsync("End to server, yes: wss.");

        await Expect(alice.Messages).ToHaveTextAsync(conversation);
        await Expect(bob.Messages).ToHaveTextAsync(conversation);
        Assert.All(alice.SocketUrls, url => Assert.StartsWith($"wss://{server.EndPoint}/websocket", url, StringComparison.Ordinal));
        Assert.NotEmpty(alice.SocketUrls);
    }
}
