using System.Net;
using Chat.Pipeline;
using Chat.Pipeline.Http;
using Chat.Reactor;
using Chat.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// The reactor and the eight stages wired as the host wires them, on a free loopback port, over a store the test
/// chooses (the host only opens the stores of its configuration).
/// </summary>
internal sealed class InProcessPipelineServer : IAsyncDisposable
{
    private readonly ChatPipeline _pipeline;
    private readonly ITransport _transport;
    private readonly IMessageStore _store;
    private readonly ILoggerFactory _loggers;
    private int _stopped;

    private InProcessPipelineServer(ChatPipeline pipeline, ITransport transport, IMessageStore store, ILoggerFactory loggers)
    {
        _pipeline = pipeline;
        _transport = transport;
        _store = store;
        _loggers = loggers;
    }

    public IPEndPoint EndPoint => _transport.LocalEndPoint;

    /// <summary>The running pipeline, for tests that reach its public surface (e.g. its /metrics source).</summary>
    public ChatPipeline Pipeline => _pipeline;

    /// <summary>The reactor's open connections, as the host reports them to /metrics.</summary>
    public int ConnectionCount => _transport.ConnectionCount;

    /// <param name="logs">Also receives the server's log entries (warnings and worse) when given.</param>
    /// <param name="highWaterMark">The reactor's send-queue limit per connection in bytes; 0 keeps its default.</param>
    public static async Task<InProcessPipelineServer> StartAsync(
        IMessageStore store, PipelineOptions options, ReactorBackend backend, ILoggerProvider? logs = null, long highWaterMark = 0)
    {
        var loggers = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(LogLevel.Warning);
            if (logs is not null) b.AddProvider(logs);
        });
        var pipeline = new ChatPipeline(options, store, StaticFiles.Load(Path.Combine(AppContext.BaseDirectory, "no-static-files")), loggers);
        var transport = TransportFactory.Bind(new IPEndPoint(IPAddress.Loopback, 0), new ReactorOptions
        {
            Backend = backend,
            HighWaterMark = highWaterMark > 0 ? highWaterMark : new ReactorOptions().HighWaterMark,
        }, pipeline.Input, loggers);
        await store.InitializeAsync(CancellationToken.None);
        pipeline.ReportConnectionsFrom(() => transport.ConnectionCount, () => transport.RefusedCount);
        await pipeline.StartAsync(CancellationToken.None);
        transport.Start();
        return new InProcessPipelineServer(pipeline, transport, store, loggers);
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(10));

    /// <summary>
    /// The host's graceful stop, each step bounded by <paramref name="deadline"/>: true when the pipeline drained, the
    /// transport closed and the stages finished. Only the first call stops.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan deadline)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return true;
        _transport.StopAccepting();
        var drained = await _pipeline.DrainAsync(deadline);
        // With a failed stage the transport waits for closes the full channels never take: bounded, as in the host.
        var transport = _transport.DisposeAsync().AsTask();
        await transport.WaitAsync(deadline).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var stopped = await _pipeline.StopAsync(deadline);
        await _store.DisposeAsync();
        _loggers.Dispose();
        return drained && transport.IsCompletedSuccessfully && stopped;
    }
}
