using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using Chat.Reactor;
using Chat.Server;
using Microsoft.Extensions.Logging;

// Before anything starts .NET's signal handling, which keeps an inherited "ignored" for good.
InheritedSignals.Unignore();
// So that the connection cap below is derived from the raised limit.
var descriptors = DescriptorBudget.Raise();

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine("ChatServer: a WebSocket chat server. Settings come from environment variables or --options of the same name:");
    foreach (var (name, meaning) in ServerConfiguration.Variables)
    {
        Console.WriteLine($"  {name,-34} --{name[5..].ToLowerInvariant().Replace('_', '-'),-30} {meaning}");
    }
    Console.WriteLine($"  {"",-34} --{"version",-30} print the version and exit");
    Console.WriteLine($"Default connection cap here: {descriptors.ConnectionCap} (open-file limit {descriptors.Limit} less {descriptors.Reserve} kept for the process; 0: no cap).");
    Console.WriteLine("  --strict: refuse to start when an unknown CHAT_* variable is set (by default each is named in a warning).");
    Console.WriteLine("  Do not put a password in --postgres: every user of the machine sees argv in ps. Use CHAT_POSTGRES_FILE or PGPASSFILE.");
    return 0;
}

if (args is ["--version"])
{
    // <Version> of Directory.Build.props; the SDK appends "+commit" to the informational version, which the release name leaves out.
    var version = typeof(ServerConfiguration).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
    Console.WriteLine(version.Split('+')[0]);
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
    .SetMinimumLevel(configuration.LogLevel)
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

var deadline = ShutdownDeadline.Start(configuration.ShutdownTimeout, host.Faulted, loggers.CreateLogger("ChatServer"), loggers.Dispose);
var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Reload);

Console.Out.WriteLine($"listening on {host.Scheme}://{host.LocalEndPoint}");
Console.Out.Flush();

var finished = await Task.WhenAny(stop.Task, host.Faulted);
if (finished == host.Faulted) HostLog.Fatal(loggers.CreateLogger("ChatServer"), host.Faulted.Exception!);
var drained = await host.StopAsync();
deadline.Finished();
// A failed stage decides the code even when the stop that followed was clean: the server could not go on.
return host.Faulted.IsCompleted ? ShutdownDeadline.Failed : drained ? ShutdownDeadline.Clean : ShutdownDeadline.Overran;

// SIGHUP reloads the TLS pair instead of ending the process (its default action).
void Reload(PosixSignalContext context)
{
    context.Cancel = true;
    host.ReloadTls();
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    deadline.Request();
    stop.TrySetResult();
}
