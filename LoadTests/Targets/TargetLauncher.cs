using System.Net;
using System.Net.Sockets;
using Chat.LoadTests.Infrastructure;
using Chat.LoadTests.Runner;

namespace Chat.LoadTests.Targets;

/// <summary>Starts (or reaches) what a run targets: our server or a baseline as processes, or the servers at --url.</summary>
internal static class TargetLauncher
{
    /// <summary>
    /// Settings every started server gets unless the run overrides them: the per-connection rate limit is off, because
    /// the runner decides the rate.
    /// </summary>
    private static readonly Dictionary<string, string> RunnerDefaults = new() { ["CHAT_MAX_MESSAGES_PER_SECOND"] = "0" };

    public static async Task<Deployment> LaunchAsync(RunOptions options, ScenarioNeeds needs, CancellationToken cancellation)
    {
        if (options.Target == TargetKind.Url) return await ReachAsync(options, needs, cancellation);

        var start = await Starter(options, needs, cancellation);
        var processes = new List<ServerProcess>();
        var directories = new List<string>();
        PostgresCluster? cluster = null;
        string? postgres = null;
        try
        {
            if (needs.Postgres || options.Store == StoreKind.Postgres)
            {
                if (options.Postgres is not null) postgres = options.Postgres;
                else
                {
                    if (!PostgresCluster.BinariesAvailable) throw new TargetUnavailableException($"{options.Scenario} needs PostgreSQL: give --postgres or install PostgreSQL 15 in {PostgresCluster.BinDirectory}");
                    cluster = await PostgresCluster.StartAsync();
                    postgres = await cluster.CreateDatabaseAsync("load");
                }
            }

            var tls = new Dictionary<string, string>();
            if (options.Tls)
            {
                var certificates = Directory.CreateTempSubdirectory("chat-load-tls-").FullName;
                directories.Add(certificates);
                var (certificate, key) = ThrowawayCertificate.Write(certificates);
                tls["CHAT_TLS_CERT"] = certificate;
                tls["CHAT_TLS_KEY"] = key;
            }

            var nodes = new List<TargetNode>();
            for (var i = 0; i < needs.Nodes; i++)
            {
                var settings = new Dictionary<string, string>(RunnerDefaults);
                foreach (var (key, value) in tls) settings[key] = value;
                foreach (var (key, value) in needs.Settings) settings[key] = value;
                foreach (var (key, value) in options.Settings) settings[key] = value;
                settings["CHAT_NODE_NAME"] = $"node{i}";
                if (postgres is not null) settings["CHAT_POSTGRES"] = postgres;
                else
                {
                    var data = Directory.CreateTempSubdirectory("chat-load-").FullName;
                    directories.Add(data);
                    settings["CHAT_DATA_DIR"] = data;
                }

                var process = await start(settings);
                processes.Add(process);
                nodes.Add(new TargetNode($"{options.TargetLabel} node{i}", process.EndPoint, process.Id) { Tls = options.Tls });
            }

            return new Deployment(options.TargetLabel, nodes, postgres, processes, cluster, directories);
        }
        catch
        {
            await new Deployment(options.TargetLabel, [], null, processes, cluster, directories).DisposeAsync();
            throw;
        }
    }

    /// <summary>How to start one node of the target, or why it cannot be started.</summary>
    private static async Task<Func<IReadOnlyDictionary<string, string>, Task<ServerProcess>>> Starter(RunOptions options, ScenarioNeeds needs, CancellationToken cancellation)
    {
        if (options.Target is TargetKind.KestrelLean or TargetKind.Bun && (needs.Postgres || needs.Nodes > 1 || options.Store == StoreKind.Postgres))
        {
            throw new TargetUnavailableException($"{options.TargetLabel} keeps messages in one process's memory: {options.Scenario} with this store or node count needs ours or kestrel");
        }
        if (options.Target is TargetKind.KestrelLean or TargetKind.Bun && options.Tls)
        {
            throw new TargetUnavailableException($"{options.TargetLabel} has no TLS switch: --tls needs ours or kestrel");
        }

        switch (options.Target)
        {
            case TargetKind.Ours:
                var ours = options.ServerDll ?? ServerBinaries.Ours() ?? throw new TargetUnavailableException(
                    $"ChatServer.dll not found (expected {ServerBinaries.OursRelative}); build first: dotnet build Chat.slnx -c Release");
                return settings => ServerProcess.StartAsync(ours, settings, cancellation);
            case TargetKind.Kestrel:
                var kestrel = ServerBinaries.Kestrel() ?? throw new TargetUnavailableException(
                    $"the Kestrel baseline is not built (expected {ServerBinaries.KestrelRelative}): skipping the kestrel target");
                return settings => ServerProcess.StartAsync(kestrel, settings, cancellation);
            case TargetKind.KestrelLean:
                var lean = ServerBinaries.KestrelLean() ?? throw new TargetUnavailableException(
                    $"the lean Kestrel chat is not built (expected {ServerBinaries.KestrelLeanRelative}): skipping the kestrel-lean target");
                return settings => ServerProcess.StartAsync(lean, settings, cancellation);
            default:
                var script = ServerBinaries.BunChat() ?? throw new TargetUnavailableException($"{ServerBinaries.BunChatRelative} not found");
                var bun = await BunRuntime.LocateAsync(cancellation);
                return settings => ServerProcess.StartAsync(bun, script, settings, cancellation);
        }
    }

    private static async Task<Deployment> ReachAsync(RunOptions options, ScenarioNeeds needs, CancellationToken cancellation)
    {
        if (options.Urls.Count < needs.Nodes) throw new TargetUnavailableException($"{options.Scenario} needs {needs.Nodes} nodes: give --url {needs.Nodes} times");
        if (needs.Postgres && options.Postgres is null) throw new TargetUnavailableException($"{options.Scenario} against --url needs --postgres (the database the server writes to)");
        var nodes = new List<TargetNode>();
        foreach (var url in options.Urls.Take(needs.Nodes))
        {
            if (!options.AllowRemote && !CommandLine.IsLoopback(url)) throw new TargetUnavailableException($"{url} is not a loopback address; add --allow-remote to load it anyway");
            IPAddress address;
            try
            {
                address = IPAddress.TryParse(url.DnsSafeHost, out var parsed) ? parsed : (await Dns.GetHostAddressesAsync(url.DnsSafeHost, cancellation))[0];
            }
            catch (SocketException e)
            {
                throw new TargetUnavailableException($"cannot resolve {url.DnsSafeHost}: {e.Message}", e);
            }

            var endPoint = new IPEndPoint(address, url.Port);
            using var probe = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await probe.ConnectAsync(endPoint, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                throw new TargetUnavailableException($"cannot reach {url}: {e.Message}", e);
            }

            nodes.Add(new TargetNode(url.ToString(), endPoint, null) { Tls = options.Tls });
        }

        return new Deployment(options.TargetLabel, nodes, options.Postgres, [], null, []);
    }
}
