using System.Globalization;
using System.Net;

namespace Chat.LoadTests.Runner;

/// <summary>Parses <c>run SCENARIO --option value …</c>, <c>bench --out DIR</c> and <c>--help</c>; every mistake is a <see cref="UsageException"/>.</summary>
internal static class CommandLine
{
    public const string Usage = """
        LoadTests: the chat server's load runner.

        usage:
          LoadTests run <scenario> [options]
          LoadTests bench [--out DIR] [--duration S] [--env KEY=VALUE]
          LoadTests --help

        scenarios:
          fanout         C clients, S of them sending at R msg/s in total; order, duplicates, losses, end-to-end latency
          ingest         senders as fast as accepted, rows counted in PostgreSQL, against raw COPY and per-row INSERT
          connections    N idle connections from 127.0.0.2.., server RSS and memory per connection
          churn          connect, chat, disconnect, reconnect with since=: catch-up without gap or duplicate
          slow-consumer  some clients stop reading; the others' throughput and latency, drops in /metrics
          cross-node     two nodes on one PostgreSQL: cross-node latency and throughput against one node
          soak           all of it for --duration S: fan-out, churn, slow readers, floods up to the connection cap, half-open
                         connections, oversized frames; fails when the server's RSS, descriptors, threads or heap still grow
          room-ingest    two nodes' stores on one PostgreSQL committing batches in 1 room, then in --rooms rooms at once
          replay         --messages N stored in a fresh room, then C clients reconnect with since= inside the replay window
                         and since= before it (the store): every message once and in order; replayed msg/s, wire bytes
                         and server CPU per replayed message, time to the last one (with --deflate: compressed or not)

        options (run):
          --target ours|kestrel|kestrel-lean|bun|url
                                      what to load (default ours: ChatServer.dll started by the runner; bun is
                                      installed from the npm registry into ~/.cache/chat-loadtests the first time)
          --url URL                   a running server (http://HOST:PORT, https:// for TLS); twice for cross-node; implies --target url
          --allow-remote              allow a non-loopback --url
          --store embedded|postgres   the started server's store (default embedded; ingest and cross-node: postgres)
          --postgres CONNSTRING       use this database instead of a throwaway PostgreSQL cluster
          --env KEY=VALUE             a CHAT_* setting, or a DOTNET_* runtime setting, passed to the started server (repeatable)
          --clients N                 clients (connections for 'connections')
          --senders N                 sending clients
          --rate R                    messages per second, all senders together (connections: new connections per second)
          --size BYTES                comment length (default 64; 1024 for 1 KiB)
          --duration S                seconds of steady load
          --ramp S                    seconds to ramp clients up
          --warmup S                  seconds of unmeasured load first, so the server runs JIT-optimised code (fanout, ingest; default 3)
          --slow N                    clients that stop reading (slow-consumer)
          --window N                  unacknowledged messages per sender (ingest; default 2048); rows per batch (room-ingest; default 256)
          --rooms N                   client i joins room i mod N (fanout; default 1); rooms of the second round (room-ingest; default 8)
          --messages N                replay: messages stored first (default 5000, at most 100000; more than 4096, the
                                      server's window, so that the store round reads the store)
          --replay K                  replay: messages each client asks for in the window round (default 4000, at most 4096)
          --addresses N               loopback source addresses 127.0.0.2.. (connections; default: as needed)
          --flood-connections N       soak: connections a flood opens at most while looking for the cap (default 2000)
          --out DIR                   where the reports go (default artifacts/loadtest/<scenario>)
          --no-live                   no live progress line
          --tls                       the started server speaks TLS with a throwaway certificate; clients use https and wss
          --server PATH               start this ChatServer.dll as ours (another build, e.g. an older commit's, for before/after runs)
          --deflate                   clients offer permessage-deflate and inflate compressed frames; ours starts with
                                      CHAT_PERMESSAGE_DEFLATE=on (--env CHAT_DEFLATE_MIN_BYTES=N sets its minimum)

        exit codes: 0 ok, 1 run failed (target unreachable, checks failed), 2 bad arguments
        """;

    public static readonly string[] Scenarios = ["fanout", "ingest", "connections", "churn", "slow-consumer", "cross-node", "soak", "room-ingest", "replay"];

    public static Command Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0) throw new UsageException("no command given");
        if (args.Any(a => a is "--help" or "-h" or "help")) return new Command.Help();
        return args[0] switch
        {
            "run" => new Command.Run(ParseRun(args)),
            "bench" => new Command.Bench(ParseBench(args)),
            _ => throw new UsageException($"unknown command '{args[0]}': expected 'run' or 'bench'"),
        };
    }

    private static RunOptions ParseRun(IReadOnlyList<string> args)
    {
        if (args.Count < 2 || args[1].StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"'run' needs a scenario: {string.Join(", ", Scenarios)}");
        var scenario = args[1];
        if (!Scenarios.Contains(scenario)) throw new UsageException($"unknown scenario '{scenario}': expected one of {string.Join(", ", Scenarios)}");
        var options = new RunOptions { Scenario = scenario };
        var urls = new List<Uri>();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        TargetKind? target = null;
        foreach (var (name, value) in Options(args, 2, flags: ["--allow-remote", "--no-live", "--tls", "--deflate"]))
        {
            options = name switch
            {
                "--target" => options with { Target = (target = ParseTarget(value)).Value },
                "--url" => AddUrl(options, urls, value),
                "--allow-remote" => options with { AllowRemote = true },
                "--store" => options with { Store = ParseStore(value) },
                "--postgres" => options with { Postgres = NonEmpty(name, value), Store = StoreKind.Postgres },
                "--env" => AddSetting(options, settings, value),
                "--clients" => options with { Clients = Int(name, value, 1, RunOptions.MaxClients) },
                "--senders" => options with { Senders = Int(name, value, 0, RunOptions.MaxClients) },
                "--rate" => options with { Rate = Number(name, value, 0.1, RunOptions.MaxRate) },
                "--size" => options with { MessageSize = Int(name, value, 1, 4096) },
                "--duration" => options with { Duration = Seconds(name, value, 0.5) },
                "--ramp" => options with { Ramp = Seconds(name, value, 0) },
                "--warmup" => options with { Warmup = Seconds(name, value, 0) },
                "--slow" => options with { Slow = Int(name, value, 0, RunOptions.MaxClients) },
                "--window" => options with { Window = Int(name, value, 1, 65_536) },
                "--rooms" => options with { Rooms = Int(name, value, 1, 1000) },
                "--messages" => options with { Messages = Int(name, value, 1, 100_000) },
                "--replay" => options with { Replay = Int(name, value, 1, RunOptions.ServerReplayWindow) },
                "--addresses" => options with { SourceAddresses = Int(name, value, 1, 250) },
                "--flood-connections" => options with { FloodConnections = Int(name, value, 1, RunOptions.MaxFloodConnections) },
                "--out" => options with { Out = NonEmpty(name, value) },
                "--no-live" => options with { Live = false },
                "--tls" => options with { Tls = true },
                "--server" => options with { ServerDll = ExistingFile(name, value) },
                "--deflate" => options with { Deflate = true },
                _ => throw new UsageException($"unknown option '{name}' (see --help)"),
            };
        }

        if (urls.Count > 0)
        {
            if (target is { } named && named != TargetKind.Url) throw new UsageException($"--url and --target {new RunOptions { Scenario = "", Target = named }.TargetLabel} contradict each other");
            options = options with { Target = TargetKind.Url, Urls = urls };
        }
        else if (options.Target == TargetKind.Url)
        {
            throw new UsageException("--target url needs --url http://HOST:PORT");
        }

        if (options.ServerDll is not null && options.Target != TargetKind.Ours) throw new UsageException("--server names a build of ours: it needs --target ours");
        if (options.Senders > options.Clients) throw new UsageException($"--senders {options.Senders} is more than --clients {options.Clients}");
        return options with { Settings = settings };
    }

    private static BenchOptions ParseBench(IReadOnlyList<string> args)
    {
        var options = new BenchOptions { Out = Path.Combine("artifacts", "bench") };
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in Options(args, 1, flags: ["--no-live"]))
        {
            options = name switch
            {
                "--out" => options with { Out = NonEmpty(name, value) },
                "--duration" => options with { Duration = Seconds(name, value, 1, max: 60) },
                "--env" => options with { Settings = AddSetting(settings, value) },
                "--no-live" => options with { Live = false },
                _ => throw new UsageException($"unknown option '{name}' for bench (see --help)"),
            };
        }

        return options with { Settings = settings };
    }

    private static IEnumerable<(string Name, string Value)> Options(IReadOnlyList<string> args, int from, string[] flags)
    {
        for (var i = from; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{arg}' (see --help)");
            var equals = arg.IndexOf('=');
            var name = equals > 0 ? arg[..equals] : arg;
            if (flags.Contains(name))
            {
                yield return (name, "");
                continue;
            }

            if (equals > 0) yield return (name, arg[(equals + 1)..]);
            else if (i + 1 < args.Count) yield return (name, args[++i]);
            else throw new UsageException($"option '{name}' needs a value");
        }
    }

    private static RunOptions AddUrl(RunOptions options, List<Uri> urls, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "ws" or "https" or "wss") || uri.Port <= 0)
        {
            throw new UsageException($"--url must look like http://HOST:PORT, got '{value}'");
        }

        if (urls.Count == 2) throw new UsageException("at most two --url (cross-node uses two nodes)");
        urls.Add(new Uri($"http://{uri.Authority}/"));
        return uri.Scheme is "https" or "wss" ? options with { Tls = true } : options;
    }

    /// <summary>True for 127.0.0.0/8, ::1 and "localhost".</summary>
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));

    private static RunOptions AddSetting(RunOptions options, Dictionary<string, string> settings, string value)
    {
        AddSetting(settings, value);
        return options;
    }

    private static Dictionary<string, string> AddSetting(Dictionary<string, string> settings, string value)
    {
        var equals = value.IndexOf('=');
        if (equals <= 0) throw new UsageException($"--env needs KEY=VALUE, got '{value}'");
        var key = value[..equals];
        if (!IsServerSetting(key))
        {
            throw new UsageException($"--env takes CHAT_* settings (upper case) or DOTNET_* runtime settings, got '{key}'");
        }

        settings[key] = value[(equals + 1)..];
        return settings;
    }

    // DOTNET_* runtime settings (thread pool, GC, JIT) keep the runtime's own mixed case, as in DOTNET_ThreadPool_UnfairSemaphoreSpinLimit;
    // they let a run compare runtime knobs against the runtimeconfig's defaults in the same process tree.
    private static bool IsServerSetting(string key) =>
        key.StartsWith("CHAT_", StringComparison.Ordinal)
            ? key.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_')
            : key.StartsWith("DOTNET_", StringComparison.Ordinal) && key.Length > "DOTNET_".Length && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static TargetKind ParseTarget(string value) => value switch
    {
        "ours" => TargetKind.Ours,
        "kestrel" => TargetKind.Kestrel,
        "kestrel-lean" => TargetKind.KestrelLean,
        "bun" => TargetKind.Bun,
        "url" => TargetKind.Url,
        _ => throw new UsageException($"--target must be ours, kestrel, kestrel-lean, bun or url, got '{value}'"),
    };

    private static StoreKind ParseStore(string value) => value switch
    {
        "embedded" => StoreKind.Embedded,
        "postgres" => StoreKind.Postgres,
        _ => throw new UsageException($"--store must be embedded or postgres, got '{value}'"),
    };

    private static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{name} needs a value") : value;

    private static string ExistingFile(string name, string value) =>
        File.Exists(value) ? Path.GetFullPath(value) : throw new UsageException($"{name}: no file '{value}'");

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new UsageException($"{name} must be a whole number from {min} to {max}, got '{value}'");

    private static double Number(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new UsageException($"{name} must be a number from {min} to {max}, got '{value}'");

    private static TimeSpan Seconds(string name, string value, double min, double max = RunOptions.MaxDurationSeconds) =>
        TimeSpan.FromSeconds(Number(name, value.EndsWith('s') ? value[..^1] : value, min, max));
}
