using System.Collections;
using System.Runtime.InteropServices;
using Chat.Server;
using Microsoft.Extensions.Logging;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine("ChatServer: a WebSocket chat server. Settings come from environment variables or --options of the same name:");
    foreach (var (name, meaning) in ServerConfiguration.Variables)
    {
        Console.WriteLine($"  {name,-34} --{name[5..].ToLowerInvariant().Replace('_', '-'),-30} {meaning}");
    }
    Console.WriteLine("  --strict: refuse to start when an unknown CHAT_* variable is set (by default each is named in a warning).");
    Console.WriteLine("  Do not put a password in --postgres: every user of the machine sees argv in ps. Use CHAT_POSTGRES_FILE or PGPASSFILE.");
    return 0;
}

ServerConfiguration configuration;
try
{
    var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
    configuration = ServerConfiguration.Load(environment, args);
    foreach (var warning in configuration.Warnings) Console.Error.WriteLine($"warning: {warning}");
}
catch (ConfigurationException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

using var loggers = LoggerFactory.Create(builder => builder
    .SetMinimumLevel(Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("CHAT_LOG_LEVEL"), true, out var level) ? level : LogLevel.Information)
    .AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    }));

ChatHost host;
try
{
    host = await ChatHost.StartAsync(configuration, loggers, CancellationToken.None);
}
catch (HostStartException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

Console.Out.WriteLine($"listening on http://{host.LocalEndPoint}");
Console.Out.Flush();

var finished = await Task.WhenAny(stop.Task, host.Faulted);
if (finished == host.Faulted)
{
    HostLog.Fatal(loggers.CreateLogger("ChatServer"), host.Faulted.Exception!);
    await host.StopAsync();
    return 70;
}
var drained = await host.StopAsync();
return drained ? 0 : 1;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}
