using System.Globalization;
using System.Net;
using Chat.Pipeline;
using Chat.Reactor;
using Chat.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Server;

/// <summary>
/// Every setting of the server, from environment variables (PROTOCOL.md's operations contract) and command-line
/// options of the same meaning (<c>--listen 127.0.0.1:9000</c> is <c>CHAT_LISTEN</c>), options winning.
/// </summary>
internal sealed record ServerConfiguration
{
    public required IPEndPoint Listen { get; init; }
    public string? Postgres { get; init; }
    public StoreKind StoreKind { get; init; }
    public required string DataDirectory { get; init; }
    public required string WebRoot { get; init; }
    public required PipelineOptions Pipeline { get; init; }
    public required ReactorOptions Reactor { get; init; }
    public required StoreOptions Store { get; init; }
    public int MaxConnections { get; init; }
    public int MaxConnectionsPerAddress { get; init; }
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    /// <summary>PEM file of the certificate (leaf first, then intermediates); with <see cref="TlsKeyPath"/>, the port speaks TLS.</summary>
    public string? TlsCertificatePath { get; init; }
    /// <summary>PEM file of the certificate's private key.</summary>
    public string? TlsKeyPath { get; init; }
    public bool Tls => TlsCertificatePath is not null;

    /// <summary>Settings problems that do not stop the server (an unknown CHAT_* variable); the host logs each at start.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The variables read, with their meaning, for <c>--help</c> and the README.</summary>
    public static readonly (string Name, string Meaning)[] Variables =
    [
        ("CHAT_LISTEN", "address and port to listen on (default 127.0.0.1:8080)"),
        ("CHAT_POSTGRES", "Npgsql connection string; unset: the embedded SQLite store. Keep passwords out of it and out of argv (ps shows both): use CHAT_POSTGRES_FILE or PGPASSFILE"),
        ("CHAT_POSTGRES_FILE", "file holding the Npgsql connection string (instead of CHAT_POSTGRES); a password without the variable or argv. Npgsql also reads the standard PGPASSFILE (default ~/.pgpass) for a password the string leaves out"),
        ("CHAT_DATA_DIR", "directory of the embedded store (default ./data)"),
        ("CHAT_STORE", "auto: CHAT_POSTGRES when set, else the embedded store; memory: benchmark only: not durable, lost on exit (default auto)"),
        ("CHAT_NODE_NAME", "this node's name in /metrics and logs when several nodes share one database (default: host name)"),
        ("CHAT_WWWROOT", "directory of the chat page's files (default: wwwroot beside the server)"),
        ("CHAT_MAX_MESSAGE_BYTES", "largest WebSocket frame or message (default 65536); larger closes with 1009"),
        ("CHAT_MAX_COMMENT_CHARS", "longest comment in characters (default 4096)"),
        ("CHAT_MAX_HEAD_BYTES", "largest HTTP request head (default 16384); larger gets 431"),
        ("CHAT_HEAD_TIMEOUT_SECONDS", "time to send a complete request head (default 10)"),
        ("CHAT_PING_INTERVAL_SECONDS", "silence after which a WebSocket peer is pinged (default 30)"),
        ("CHAT_IDLE_TIMEOUT_SECONDS", "silence after which a WebSocket peer is closed with 1001 (default 75)"),
        ("CHAT_HIGH_WATER_MARK_BYTES", "queued bytes per connection past which a slow reader is closed with 1008 (default 1048576)"),
        ("CHAT_MAX_MESSAGES_PER_SECOND", "chat messages per second per connection, 0 = no limit (default 100); over it: error frame, then close 1008"),
        ("CHAT_MESSAGE_BURST", "messages a connection may send at once above that rate (default 200)"),
        ("CHAT_ABUSE_REPORT_SECONDS", "period of the abuse log: one line per misbehaving client address per period, with counts of protocol errors, refused requests and limit closes (default 10)"),
        ("CHAT_MAX_CONTROL_FRAMES_PER_SECOND", "pings, pongs and empty continuation frames per second per connection, 0 = no limit (default 100); over it: close 1008"),
        ("CHAT_MAX_PENDING_MESSAGES", "messages of one connection received but not yet broadcast, past which its reads pause (default 64)"),
        ("CHAT_MAX_PIPELINED_REQUESTS", "HTTP requests of one connection read and not yet answered, past which its reads pause (default 16)"),
        ("CHAT_MAX_CONNECTIONS", "open connections at most, past it accepted, answered 503 and closed unread; 0 = no limit (default: the open-file limit, raised to the hard one, less 256 and 1/16 of it; --help shows the value)"),
        ("CHAT_MAX_CONNECTIONS_PER_ADDRESS", "open connections per client address at most, 0 = no limit (default 0)"),
        ("CHAT_ALLOWED_ORIGINS", "comma-separated Origin values allowed to open a WebSocket; unset: all (default)"),
        ("CHAT_MAX_ROOMS", "rooms that may exist at most, general included (default 1000); a handshake for one more gets 403"),
        ("CHAT_ROOMS", "comma-separated room names a WebSocket may join; unset: any name (default)"),
        ("CHAT_REACTOR", "socket backend: auto, epoll or sockets (default auto)"),
        ("CHAT_EVENT_LOOPS", "event loops of the epoll backend (default: one per core)"),
        ("CHAT_SHUTDOWN_TIMEOUT_SECONDS", "deadline for any stop (SIGTERM/Ctrl+C, or a failed stage): the drain gets it less a fifth (at most 1 s), then the process exits whatever its stages do (default 10)"),
        ("CHAT_RETENTION_DAYS", "delete messages older than this many days, 0 = keep all (default 0)"),
        ("CHAT_RETENTION_MAX_ROWS", "keep only this many newest messages, 0 = keep all (default 0)"),
        ("CHAT_TLS_CERT", "PEM file of the TLS certificate (leaf first, then intermediates); with CHAT_TLS_KEY: https and wss only, SIGHUP reloads both (default: unset, plain http)"),
        ("CHAT_TLS_KEY", "PEM file of the TLS certificate's private key (set together with CHAT_TLS_CERT)"),
        ("CHAT_LOG_LEVEL", "least level logged: trace, debug, information, warning, error, critical or none (default information)"),
        ("CHAT_FLUSH_DELAY_MICROSECONDS", "epoll backend: a connection writes at most once per this many microseconds, so frames queued meanwhile leave in one writev; 0 = write at once (default 0)"),
    ];

    /// <summary>What a connection past the cap gets before it is closed, unread: a fixed answer, nothing built per refusal.</summary>
    private static readonly byte[] CapRefusal =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 21\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\ntoo many connections\n"u8.ToArray();

    /// <summary>
    /// CHAT_* names that are not settings of this table but are read elsewhere (the log level, the test and load
    /// harnesses); they never warn.
    /// </summary>
    private static readonly string[] KnownElsewhere =
    [
        "CHAT_TEST_REACTOR", "CHAT_FUZZ_SECONDS", "CHAT_HISTORY_SIZE",
    ];

    public static ServerConfiguration Load(IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, _) in Variables)
        {
            if (environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)) settings[name] = value.Trim();
        }
        var strict = ReadArguments(args, settings);
        var warnings = UnknownVariables(environment.Keys);
        if (strict && warnings.Count > 0) throw new ConfigurationException(string.Join("; ", warnings) + " (--strict refuses to start)");
        if (settings.TryGetValue("CHAT_POSTGRES_FILE", out var postgresFile))
        {
            if (settings.ContainsKey("CHAT_POSTGRES")) throw new ConfigurationException("set CHAT_POSTGRES or CHAT_POSTGRES_FILE, not both");
            settings["CHAT_POSTGRES"] = ReadConnectionString(postgresFile);
        }

        var pipelineDefaults = new PipelineOptions();
        var reactorDefaults = new ReactorOptions();
        var pipeline = new PipelineOptions
        {
            MaxMessageBytes = Int(settings, "CHAT_MAX_MESSAGE_BYTES", pipelineDefaults.MaxMessageBytes),
            MaxCommentChars = Int(settings, "CHAT_MAX_COMMENT_CHARS", pipelineDefaults.MaxCommentChars),
            MaxHeadBytes = Int(settings, "CHAT_MAX_HEAD_BYTES", pipelineDefaults.MaxHeadBytes),
            HeadTimeout = Seconds(settings, "CHAT_HEAD_TIMEOUT_SECONDS", pipelineDefaults.HeadTimeout),
            PingInterval = Seconds(settings, "CHAT_PING_INTERVAL_SECONDS", pipelineDefaults.PingInterval),
            IdleTimeout = Seconds(settings, "CHAT_IDLE_TIMEOUT_SECONDS", pipelineDefaults.IdleTimeout),
            MessagesPerSecond = Int(settings, "CHAT_MAX_MESSAGES_PER_SECOND", pipelineDefaults.MessagesPerSecond),
            MessageBurst = Int(settings, "CHAT_MESSAGE_BURST", pipelineDefaults.MessageBurst),
            MaxPendingMessagesPerConnection = Int(settings, "CHAT_MAX_PENDING_MESSAGES", pipelineDefaults.MaxPendingMessagesPerConnection),
            AbuseReportPeriod = Seconds(settings, "CHAT_ABUSE_REPORT_SECONDS", pipelineDefaults.AbuseReportPeriod),
            ControlFramesPerSecond = Int(settings, "CHAT_MAX_CONTROL_FRAMES_PER_SECOND", pipelineDefaults.ControlFramesPerSecond),
            MaxPipelinedRequests = Int(settings, "CHAT_MAX_PIPELINED_REQUESTS", pipelineDefaults.MaxPipelinedRequests),
            NodeName = settings.GetValueOrDefault("CHAT_NODE_NAME", pipelineDefaults.NodeName),
            AllowedOrigins = settings.TryGetValue("CHAT_ALLOWED_ORIGINS", out var origins)
                ? origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [],
            MaxRooms = Int(settings, "CHAT_MAX_ROOMS", pipelineDefaults.MaxRooms),
            // Names are compared as a handshake sends them after lower-casing.
            AllowedRooms = settings.TryGetValue("CHAT_ROOMS", out var allowedRooms)
                ? allowedRooms.ToLowerInvariant().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [],
        };
        var maxConnections = Int(settings, "CHAT_MAX_CONNECTIONS", DescriptorBudget.Read().ConnectionCap);
        var reactor = new ReactorOptions
        {
            MaxConnections = maxConnections,
            // A plaintext 503 would be garbage to a TLS client, and a TLS answer needs a handshake: a bare close instead.
            RefusalResponse = settings.ContainsKey("CHAT_TLS_CERT") ? ReadOnlyMemory<byte>.Empty : CapRefusal,
            Backend = Backend(settings),
            EventLoops = Int(settings, "CHAT_EVENT_LOOPS", reactorDefaults.EventLoops),
            HighWaterMark = Int(settings, "CHAT_HIGH_WATER_MARK_BYTES", (int)reactorDefaults.HighWaterMark),
            FlushDelay = TimeSpan.FromMicroseconds(Int(settings, "CHAT_FLUSH_DELAY_MICROSECONDS", (int)reactorDefaults.FlushDelay.TotalMicroseconds)),
        };
        var store = new StoreOptions
        {
            RetentionDays = Int(settings, "CHAT_RETENTION_DAYS", 0),
            RetentionMaxRows = Int(settings, "CHAT_RETENTION_MAX_ROWS", 0),
        };
        var configuration = new ServerConfiguration
        {
            Listen = Endpoint(settings.GetValueOrDefault("CHAT_LISTEN", "127.0.0.1:8080")),
            Postgres = settings.GetValueOrDefault("CHAT_POSTGRES"),
            StoreKind = StoreKindOf(settings),
            DataDirectory = Path.GetFullPath(settings.GetValueOrDefault("CHAT_DATA_DIR", "./data")),
            WebRoot = settings.GetValueOrDefault("CHAT_WWWROOT", Path.Combine(AppContext.BaseDirectory, "wwwroot")),
            Pipeline = pipeline,
            Reactor = reactor,
            Store = store,
            MaxConnections = maxConnections,
            MaxConnectionsPerAddress = Int(settings, "CHAT_MAX_CONNECTIONS_PER_ADDRESS", 0),
            ShutdownTimeout = Seconds(settings, "CHAT_SHUTDOWN_TIMEOUT_SECONDS", TimeSpan.FromSeconds(10)),
            TlsCertificatePath = FullPath(settings, "CHAT_TLS_CERT"),
            TlsKeyPath = FullPath(settings, "CHAT_TLS_KEY"),
            LogLevel = LogLevelOf(settings),
            Warnings = warnings,
        };
        configuration.Validate();
        return configuration;
    }

    private void Validate()
    {
        try
        {
            Pipeline.Validate();
            Reactor.Validate();
            Store.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
        if (StoreKind == StoreKind.Memory && Postgres is not null) throw new ConfigurationException("CHAT_STORE=memory cannot be combined with CHAT_POSTGRES; unset one of them");
        if (MaxConnections < 0) throw new ConfigurationException("CHAT_MAX_CONNECTIONS must not be negative");
        if (MaxConnectionsPerAddress < 0) throw new ConfigurationException("CHAT_MAX_CONNECTIONS_PER_ADDRESS must not be negative");
        if (ShutdownTimeout <= TimeSpan.Zero) throw new ConfigurationException("CHAT_SHUTDOWN_TIMEOUT_SECONDS must be positive");
        if ((TlsCertificatePath is null) != (TlsKeyPath is null))
        {
            throw new ConfigurationException($"CHAT_TLS_CERT and CHAT_TLS_KEY must be set together; only {(TlsKeyPath is null ? "CHAT_TLS_CERT" : "CHAT_TLS_KEY")} is set");
        }
    }

    /// <summary>
    /// A typo in a variable's name silently leaves its default in force, and a variable of a feature this build lacks
    /// (a certificate with no TLS) silently leaves it off: each unknown CHAT_* name is named, with the nearest known one.
    /// </summary>
    internal static List<string> UnknownVariables(IEnumerable<string> names)
    {
        var known = Variables.Select(v => v.Name).Concat(KnownElsewhere).ToArray();
        var warnings = new List<string>();
        foreach (var name in names.Where(n => n.StartsWith("CHAT_", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            if (known.Contains(name, StringComparer.Ordinal)) continue;
            var nearest = known.MinBy(k => EditDistance(name, k))!;
            warnings.Add(EditDistance(name, nearest) <= Math.Max(2, name.Length / 4)
                ? $"unknown setting {name} is ignored; did you mean {nearest}?"
                : $"unknown setting {name} is ignored (see --help)");
        }
        return warnings;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static string ReadConnectionString(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            if (text.Length == 0) throw new ConfigurationException($"CHAT_POSTGRES_FILE {path} is empty");
            return text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read CHAT_POSTGRES_FILE {path}: {e.Message}");
        }
    }

    /// <summary>
    /// <c>--listen X</c>, <c>--listen=X</c>, <c>--data-dir X</c>: the variable's name without CHAT_, lower case, dashes.
    /// Returns whether <c>--strict</c> (unknown CHAT_* variables refuse the start) was given.
    /// </summary>
    private static bool ReadArguments(string[] args, Dictionary<string, string> settings)
    {
        var strict = false;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--strict")
            {
                strict = true;
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new ConfigurationException($"unexpected argument '{arg}' (see --help)");
            var equals = arg.IndexOf('=');
            var key = equals > 0 ? arg[2..equals] : arg[2..];
            var name = "CHAT_" + key.Replace('-', '_').ToUpperInvariant();
            if (Array.FindIndex(Variables, v => v.Name == name) < 0) throw new ConfigurationException($"unknown option '--{key}' (see --help)");
            string value;
            if (equals > 0) value = arg[(equals + 1)..];
            else if (i + 1 < args.Length) value = args[++i];
            else throw new ConfigurationException($"option '--{key}' needs a value");
            settings[name] = value;
        }
        return strict;
    }

    internal static IPEndPoint Endpoint(string text)
    {
        var value = text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? text[7..].TrimEnd('/') : text;
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new ConfigurationException($"CHAT_LISTEN must be ADDRESS:PORT (for example 127.0.0.1:8080), got '{text}'");
        }
        var host = value[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return new IPEndPoint(IPAddress.Loopback, port);
        if (host is "*" or "+") return new IPEndPoint(IPAddress.Any, port);
        throw new ConfigurationException($"CHAT_LISTEN needs an IP address, 'localhost' or '*', got '{host}'");
    }

    /// <summary>Absolute, so that a SIGHUP reload reads the same file whatever the working directory is by then.</summary>
    private static string? FullPath(Dictionary<string, string> settings, string name) =>
        settings.TryGetValue(name, out var path) ? Path.GetFullPath(path) : null;

    private static int Int(Dictionary<string, string> settings, string name, int fallback)
    {
        if (!settings.TryGetValue(name, out var text)) return fallback;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0) return value;
        throw new ConfigurationException($"{name} must be a non-negative integer, got '{text}'");
    }

    private static TimeSpan Seconds(Dictionary<string, string> settings, string name, TimeSpan fallback)
    {
        if (!settings.TryGetValue(name, out var text)) return fallback;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value < 86_400 * 365) return TimeSpan.FromSeconds(value);
        throw new ConfigurationException($"{name} must be a positive number of seconds, got '{text}'");
    }

    private static StoreKind StoreKindOf(Dictionary<string, string> settings) => settings.GetValueOrDefault("CHAT_STORE", "auto").ToLowerInvariant() switch
    {
        "auto" => StoreKind.Auto,
        "memory" => StoreKind.Memory,
        var other => throw new ConfigurationException($"CHAT_STORE must be auto or memory, got '{other}'"),
    };

    private static LogLevel LogLevelOf(Dictionary<string, string> settings)
    {
        var text = settings.GetValueOrDefault("CHAT_LOG_LEVEL", "information");
        // Enum.TryParse alone would take "7" or "warning,error" as levels.
        if (!text.All(char.IsAsciiLetter) || !Enum.TryParse<LogLevel>(text, ignoreCase: true, out var level))
        {
            throw new ConfigurationException($"CHAT_LOG_LEVEL must be trace, debug, information, warning, error, critical or none, got '{text}'");
        }
        return level;
    }

    private static ReactorBackend Backend(Dictionary<string, string> settings) => settings.GetValueOrDefault("CHAT_REACTOR", "auto").ToLowerInvariant() switch
    {
        "auto" => ReactorBackend.Auto,
        "epoll" => ReactorBackend.Epoll,
        "sockets" => ReactorBackend.Sockets,
        var other => throw new ConfigurationException($"CHAT_REACTOR must be auto, epoll or sockets, got '{other}'"),
    };
}
