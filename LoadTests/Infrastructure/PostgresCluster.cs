using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Chat.LoadTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for tests and benchmarks: initdb into a temporary directory, trust authentication,
/// listening on 127.0.0.1 at a free port. As root, the binaries run as the <c>postgres</c> user (initdb refuses root).
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    internal const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private readonly string _dataDirectory;
    private readonly string _socketDirectory;
    private readonly string _logFile;
    private int _disposed;

    private PostgresCluster(string root, int port)
    {
        RootDirectory = root;
        _dataDirectory = Path.Combine(root, "data");
        _socketDirectory = Path.Combine(root, "socket");
        _logFile = Path.Combine(root, "postgres.log");
        Port = port;
    }

    /// <summary>True when initdb and pg_ctl exist in <see cref="BinDirectory"/>.</summary>
    public static bool BinariesAvailable =>
        File.Exists(Path.Combine(BinDirectory, "initdb")) && File.Exists(Path.Combine(BinDirectory, "pg_ctl"));

    /// <summary>The TCP port on 127.0.0.1; kept across <see cref="StopAsync"/> and <see cref="RestartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>The postmaster's process id while the cluster runs (from postmaster.pid); null when stopped.</summary>
    public int? ProcessId
    {
        get
        {
            try
            {
                var first = File.ReadLines(Path.Combine(_dataDirectory, "postmaster.pid")).FirstOrDefault();
                return int.TryParse(first, out var id) ? id : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>The temporary directory holding the data directory, the socket and the server log.</summary>
    public string RootDirectory { get; }

    private static bool AsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Creates and starts a new cluster on a free port.</summary>
    public static async Task<PostgresCluster> StartAsync()
    {
        if (!BinariesAvailable)
        {
            throw new InvalidOperationException($"PostgreSQL 15 binaries not found in {BinDirectory}.");
        }

        // /tmp rather than a TMPDIR that may sit under root's home, which the postgres user cannot enter.
        var parent = AsRoot ? "/tmp" : Path.GetTempPath();
        var root = Path.Combine(parent, $"chat-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var cluster = new PostgresCluster(root, FreePort());
        try
        {
            Directory.CreateDirectory(cluster._socketDirectory);
            if (AsRoot)
            {
                await RunAsync("chown", ["-R", $"{ServiceUser}:", root], asServiceUser: false);
            }

            // --no-sync: a throwaway cluster does not need its initial files flushed; the server itself keeps fsync on.
            await RunAsync(
                Path.Combine(BinDirectory, "initdb"),
                ["-A", "trust", "-E", "UTF8", "--locale=C", "-U", "postgres", "--no-sync", "-D", cluster._dataDirectory],
                asServiceUser: AsRoot);
            await cluster.StartOnFreePortAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Host=127.0.0.1;Port=…;Username=postgres;Database=<paramref name="database"/>.</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = IPAddress.Loopback.ToString(),
            Port = Port,
            Username = "postgres",
            Database = database,
        }.ConnectionString;

    /// <summary>Creates database <c>prefix_&lt;random&gt;</c> and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 30 || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"Database prefix must be 1 to 30 lower-case ASCII letters, digits or '_': '{prefix}'.", nameof(prefix));
        }

        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ConnectionStringFor("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionStringFor(name);
    }

    /// <summary>pg_ctl stop -m fast: the data is kept, for outage tests.</summary>
    public Task StopAsync() => PgCtlAsync(["stop", "-D", _dataDirectory, "-m", "fast", "-w"]);

    /// <summary>Starts again on the same port and data directory.</summary>
    public Task RestartAsync() => PgCtlStartAsync();

    /// <summary>pg_ctl stop -m immediate, then deletes the temporary directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            await PgCtlAsync(["stop", "-D", _dataDirectory, "-m", "immediate", "-w"]);
        }

        Directory.Delete(RootDirectory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asServiceUser)
    {
        var start = new ProcessStartInfo
        {
            FileName = asServiceUser ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asServiceUser)
        {
            foreach (var argument in (string[])["-u", ServiceUser, "--", fileName])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in {CommandTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    // The free port may be taken by someone else before the server binds it: try again on another.
    private async Task StartOnFreePortAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await PgCtlStartAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                Port = FreePort();
            }
        }
    }

    private async Task PgCtlStartAsync()
    {
        try
        {
            await PgCtlAsync(
            [
                "start", "-D", _dataDirectory, "-l", _logFile, "-w", "-t", "60",
                "-o", $"-p {Port} -k {_socketDirectory} -c listen_addresses=127.0.0.1",
            ]);
        }
        catch (InvalidOperationException e)
        {
            var log = File.Exists(_logFile) ? await File.ReadAllTextAsync(_logFile) : "(no server log)";
            throw new InvalidOperationException($"{e.Message}\nServer log:\n{log}", e);
        }
    }

    private Task PgCtlAsync(IReadOnlyList<string> arguments) =>
        RunAsync(Path.Combine(BinDirectory, "pg_ctl"), arguments, asServiceUser: AsRoot);
}
