using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
X509Certificate2? certificate = null;
if (settings is { TlsCertificate: { } certificatePath, TlsKey: { } keyPath })
{
    try
    {
        certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
    {
        Console.Error.WriteLine($"error: cannot load the TLS certificate or key: {e.Message.ReplaceLineEndings(" ")}");
        return 2;
    }
}
// With a certificate: TLS 1.2/1.3 and HTTP/1.1 only (so ALPN offers http/1.1), the same terms as our server.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(settings.Listen, listen =>
{
    if (certificate is null) return;
    listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1;
    listen.UseHttps(https =>
    {
        https.ServerCertificate = certificate;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
    });
}));
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
Console.Out.WriteLine($"listening on {(certificate is null ? "http" : "https")}://{IPEndPoint.Parse(new Uri(address).Authority)}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
return 0;
