using System.Text.RegularExpressions;
using Chat.UnitTests.EndToEnd;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.UnitTests.Browser;

/// <summary>
/// Messages caught in a dropped connection. Playwright's WebSocket routing sits between the page and the real
/// server and cuts the connection at a chosen frame, which no server restart can do at a precise point.
/// </summary>
public sealed partial class ChatPageTests
{
    private static readonly Regex SocketPath = new("/websocket");

    [BrowserFact]
    public async Task Message_lost_in_a_dropped_connection_is_put_back_with_a_warning()
    {
        await using var server = await TestServer.StartAsync();
        await using var context = await browser.NewContextAsync();
        var dropped = 0;
        await context.RouteWebSocketAsync(SocketPath, page =>
        {
            var real = page.ConnectToServer();
            page.OnMessage(frame =>
            {
                if (Says(frame, "lost in transit") && Interlocked.Exchange(ref dropped, 1) == 0)
                    _ = page.CloseAsync(new WebSocketRouteCloseOptions { Code = 1011, Reason = "test: cut before the server" });
                else
                    Forward(frame, real);
            });
        });
        var chat = await ChatPage.OpenAsync(context, server.HttpUri);

        await chat.SendAsync("lost in transit");

        await Expect(chat.Alert).ToContainTextAsync("dropped before the server confirmed your last message");
        await Expect(chat.Comment).ToHaveValueAsync("lost in transit");
        await chat.ExpectConnectedAsync();
        await Expect(chat.Alert).ToBeVisibleAsync();
        await Expect(chat.Messages).ToHaveCountAsync(0);

        await chat.Comment.PressAsync("Enter");
        await Expect(chat.Messages).ToHaveTextAsync([new Regex(": lost in transit$")]);
        await Expect(chat.Alert).ToBeHiddenAsync();
        await Expect(chat.Comment).ToBeEmptyAsync();
    }

    [BrowserFact]
    public async Task Message_stored_before_a_drop_is_confirmed_by_the_replay_and_not_put_back()
    {
        await using var server = await TestServer.StartAsync();
        await using var context = await browser.NewContextAsync();
        var refusing = 0;
        await context.RouteWebSocketAsync(SocketPath, page =>
        {
            if (Volatile.Read(ref refusing) == 1)
            {
                _ = page.CloseAsync(new WebSocketRouteCloseOptions { Code = 1013, Reason = "test: not yet" });
                return;
            }
            var real = page.ConnectToServer();
            var cut = 0;
            real.OnMessage(frame => { if (Volatile.Read(ref cut) == 0) Forward(frame, page); });
            page.OnMessage(frame =>
            {
                Forward(frame, real);
                if (!Says(frame, "stored anyway")) return;
                // The server gets the message; its echo never reaches the page, and the page cannot come back yet.
                Volatile.Write(ref cut, 1);
                Volatile.Write(ref refusing, 1);
                _ = page.CloseAsync(new WebSocketRouteCloseOptions { Code = 1011, Reason = "test: cut before the echo" });
            });
        });
        var chat = await ChatPage.OpenAsync(context, server.HttpUri);
        await chat.SetNameAsync("hana");

        await chat.SendAsync("stored anyway");

        await Expect(chat.Alert).ToContainTextAsync("dropped before the server confirmed your last message");
        await Expect(chat.Comment).ToHaveValueAsync("stored anyway");
        await Expect(chat.Messages).ToHaveCountAsync(0);

        Volatile.Write(ref refusing, 0);
        await Expect(chat.Messages).ToHaveTextAsync(["hana: stored anyway"]);
        await Expect(chat.Alert).ToBeHiddenAsync();
        await Expect(chat.Comment).ToBeEmptyAsync();
        await chat.ExpectConnectedAsync();
    }

    private static bool Says(IWebSocketFrame frame, string text) => frame.Text?.Contains(text, StringComparison.Ordinal) == true;

    private static void Forward(IWebSocketFrame frame, IWebSocketRoute to)
    {
        if (frame.Text is { } text) to.Send(text);
        else to.Send(frame.Binary ?? []);
    }
}
