using System.Net;
using System.Net.Sockets;
using Chat.LoadTests.KestrelBaseline;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// An idiomatic Kestrel chat server, the baseline our load tests compare our server against. It keeps our server's
// operations contract (CHAT_LISTEN, CHAT_POSTGRES, the "listening on" line, exit codes), so a runner starts both alike.
BaselineSettings settings;
try
{
    settings = BaselineSettings.Load(Environment.GetEnvironmentVariable);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(settings.LogLevel);

// A failed start is reported once, as one line, below; the host would log it again with its stack.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(settings.Listen));
IChatStore store = settings.Postgres is { } postgres
    ? new PostgresChatStore(postgres)
    : new MemoryChatStore(settings.HistorySize);
builder.Services.AddSingleton(store);
builder.Services.AddSingleton<BaselineMetrics>();
builder.Services.AddSingleton<ChatRoom>();

await using var app = builder.Build();
ChatEndpoints.Map(app);
try
{
    await store.InitializeAsync(CancellationToken.None);
    await app.StartAsync();
}
catch (Exception e) when (e is IOException or SocketException or Npgsql.NpgsqlException or TimeoutException)
{
    Console.Error.WriteLine($"error: cannot start on {settings.Listen} with {store.Description}: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}

var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
BaselineLog.Started(app.Services.GetRequiredService<ILogger<ChatRoom>>(), store.Description);
Console.Out.WriteLine($"listening on http://{IPEndPoint.Parse(new Uri(address).Authority)}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
return 0;
