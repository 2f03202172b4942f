using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Chat.Pipeline;
using Chat.Pipeline.Http;
using Chat.Pipeline.Tls;
using Chat.Reactor;
using Chat.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Server;

/// <summary>
/// The composition root: opens the store, builds the pipeline, binds the reactor to it, and stops them in order.
/// Holds no protocol logic.
/// </summary>
internal sealed class ChatHost : IAsyncDisposable
{
    private readonly ServerConfiguration _configuration;
    private readonly IMessageStore _store;
    private readonly ChatPipeline _pipeline;
    private readonly ITransport _transport;
    private readonly ILogger _logger;
    private readonly TlsCredentials? _tls;
    private readonly ClusterParts _cluster;
    private int _stopped;

    private ChatHost(ServerConfiguration configuration, IMessageStore store, ChatPipeline pipeline, ITransport transport, ILogger logger, TlsCredentials? tls, ClusterParts cluster)
    {
        _tls = tls;
        _cluster = cluster;
        _configuration = configuration;
        _store = store;
        _pipeline = pipeline;
        _transport = transport;
        _logger = logger;
    }

    public IPEndPoint LocalEndPoint => _transport.LocalEndPoint;

    public ReactorBackend Backend => _transport.Backend;

    public string StoreDescription => _store.Description;

    /// <summary>"https" when the port speaks TLS, else "http": the scheme of the start line.</summary>
    public string Scheme => _tls is null ? "http" : "https";

    /// <summary>The certificate new TLS handshakes present (null without TLS).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate => _tls?.Certificate;

    /// <summary>
    /// SIGHUP: reads the TLS pair again for new handshakes; open connections keep theirs. A bad file keeps the old pair
    /// and logs why. Returns whether the new pair is in use (true without TLS: nothing to reload).
    /// </summary>
    public bool ReloadTls()
    {
        if (_tls is null) return true;
        if (!_tls.TryReload(out var error))
        {
            HostLog.TlsReloadFailed(_logger, error);
            return false;
        }
        LogCertificate(_logger, _tls);
        return true;
    }

    /// <summary>Completes when a stage failed and the server cannot go on.</summary>
    public Task Faulted => _pipeline.Faulted;

    /// <summary>
    /// Starts everything and returns once connections are accepted. Throws <see cref="HostStartException"/> with a
    /// one-line reason when the port cannot be bound or the store cannot be opened.
    /// </summary>
    public static async Task<ChatHost> StartAsync(ServerConfiguration configuration, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger<ChatHost>();
        var tls = LoadTls(configuration, logger);
        var store = OpenStore(configuration, loggers);
        // With PostgreSQL other nodes may share the database: listen for their commits, share presence with them.
        var cluster = configuration.Postgres is { } postgres
            ? new ClusterParts(
                new PostgresCommitFeed(postgres, configuration.Store, loggers.CreateLogger<PostgresCommitFeed>()),
                new PostgresPresenceStore(postgres, configuration.Store))
            : new ClusterParts(null, null);
        try
        {
            // The total cap is the transport's, at accept; the pipeline keeps only the per-address one.
            var pipeline = new ChatPipeline(configuration.Pipeline, store, StaticFiles.Load(configuration.WebRoot), loggers,
                0, configuration.MaxConnectionsPerAddress, cluster.Feed, tls, cluster.Presence);
            ITransport transport;
            try
            {
                transport = TransportFactory.Bind(configuration.Listen, configuration.Reactor, pipeline.Input, loggers);
            }
            catch (SocketException e)
            {
                throw new HostStartException($"cannot listen on {configuration.Listen}: {Describe(e)}");
            }
            try
            {
                await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
                pipeline.ReportConnectionsFrom(() => transport.ConnectionCount, () => transport.RefusedCount);
                await pipeline.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                throw new HostStartException($"cannot open the store ({store.Description}): {e.Message}");
            }
            transport.Start();
            try
            {
                await pipeline.WarmUpAsync(transport.LocalEndPoint).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or InvalidOperationException or TimeoutException)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                await pipeline.StopAsync(configuration.ShutdownTimeout).ConfigureAwait(false);
                throw new HostStartException($"the server does not answer its own warm-up request: {e.Message}");
            }
            HostLog.Started(logger, configuration.Pipeline.NodeName, transport.LocalEndPoint.ToString(), transport.Backend.ToString(), store.Description);
            var descriptors = DescriptorBudget.Read();
            HostLog.ConnectionCap(logger, configuration.MaxConnections, descriptors.Limit, descriptors.Reserve);
            return new ChatHost(configuration, store, pipeline, transport, logger, tls, cluster);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Graceful stop: stop accepting, store and broadcast what was received, close every client with 1001, release
    /// the store. Returns false when the deadline passed before the pipeline drained or its stages finished. The drain
    /// leaves part of the deadline (a fifth, at most 1 s) to closing the sockets, the stages and the store, so that a
    /// clean stop ends within it; the process's hard deadline (<see cref="ShutdownDeadline"/>) covers the rest.
    /// </summary>
    public async Task<bool> StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return true;
        var clock = Stopwatch.StartNew();
        var deadline = _configuration.ShutdownTimeout;
        HostLog.Stopping(_logger, deadline.TotalSeconds);
        _transport.StopAccepting();
        var teardown = TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, deadline.Ticks / 5));
        var drained = await _pipeline.DrainAsync(deadline - teardown).ConfigureAwait(false);
        // A connection's close is an item for the pipeline: with a failed stage its channels stay full, the transport
        // waits for closes it can never deliver, and the stages wait for the transport. So every step is bounded.
        var closed = await WithinAsync(_transport.DisposeAsync().AsTask(), deadline - clock.Elapsed).ConfigureAwait(false);
        var stopped = await _pipeline.StopAsync(deadline - clock.Elapsed).ConfigureAwait(false);
        await WithinAsync(_store.DisposeAsync().AsTask(), deadline - clock.Elapsed).ConfigureAwait(false);
        await WithinAsync(_cluster.DisposeAsync().AsTask(), deadline - clock.Elapsed).ConfigureAwait(false);
        var clean = drained && closed && stopped;
        HostLog.Stopped(_logger, clean);
        return clean;
    }

    /// <summary>True when <paramref name="step"/> completed within <paramref name="timeout"/>; never throws.</summary>
    private static async Task<bool> WithinAsync(Task step, TimeSpan timeout)
    {
        await step.WaitAsync(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return step.IsCompletedSuccessfully;
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static TlsCredentials? LoadTls(ServerConfiguration configuration, ILogger logger)
    {
        if (configuration is not { TlsCertificatePath: { } certificate, TlsKeyPath: { } key }) return null;
        try
        {
            var tls = TlsCredentials.Load(certificate, key);
            LogCertificate(logger, tls);
            return tls;
        }
        catch (TlsCredentialsException e)
        {
            throw new HostStartException(e.Message);
        }
    }

    private static void LogCertificate(ILogger logger, TlsCredentials tls) =>
        HostLog.TlsLoaded(logger, tls.Certificate.Subject, tls.Certificate.NotAfter.ToUniversalTime(), tls.Certificate.Thumbprint, tls.CertificatePath);

    private static IMessageStore OpenStore(ServerConfiguration configuration, ILoggerFactory loggers)
    {
        try
        {
            if (configuration.StoreKind == StoreKind.Memory)
            {
                HostLog.MemoryStore(loggers.CreateLogger<ChatHost>());
                return new InMemoryMessageStore(configuration.Store, loggers.CreateLogger<InMemoryMessageStore>());
            }
            return configuration.Postgres is { } connectionString
                ? new PostgresMessageStore(connectionString, configuration.Store, loggers.CreateLogger<PostgresMessageStore>())
                : new SqliteMessageStore(configuration.DataDirectory, configuration.Store, loggers.CreateLogger<SqliteMessageStore>());
        }
        catch (ArgumentException e)
        {
            throw new HostStartException($"bad store setting: {e.Message}");
        }
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "the address is already in use",
        SocketError.AddressNotAvailable => "the address is not available on this machine",
        SocketError.AccessDenied => "permission denied",
        _ => e.Message,
    };
}
