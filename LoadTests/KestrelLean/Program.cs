using System.Globalization;
using System.Net;
using Chat.LoadTests.KestrelLean;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// The leanest idiomatic Kestrel chat (issue 17): Minimal APIs with UseWebSockets, one SemaphoreSlim around the
// broadcast, each message serialised once with System.Text.Json and sent with one awaited SendAsync per receiver in
// turn. Messages live in memory only. It keeps the operations contract (CHAT_LISTEN, the "listening on" line), so the
// load runner starts it like our server.
var listen = Environment.GetEnvironmentVariable("CHAT_LISTEN") is { Length: > 0 } text ? text.Trim() : "127.0.0.1:8080";
var colon = listen.LastIndexOf(':');
if (colon <= 0 || !IPAddress.TryParse(listen[..colon].Trim('[', ']'), out var address)
    || !int.TryParse(listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
{
    Console.Error.WriteLine($"error: CHAT_LISTEN must be ADDRESS:PORT, got '{listen}'");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port));
builder.Services.AddSingleton<LeanRoom>();
await using var app = builder.Build();
app.UseWebSockets();
app.MapGet("/websocket", (HttpContext context, LeanRoom room) => room.ServeAsync(context));
app.MapGet("/healthz", () => "ok");
try
{
    await app.StartAsync();
}
catch (IOException e)
{
    Console.Error.WriteLine($"error: cannot listen on {listen}: {e.Message}");
    return 1;
}

var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.Out.WriteLine($"listening on http://{IPEndPoint.Parse(new Uri(bound).Authority)}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
return 0;
