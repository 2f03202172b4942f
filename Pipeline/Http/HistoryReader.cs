using System.Threading.Channels;
using Chat.Reactor;
using Chat.Storage;

namespace Chat.Pipeline.Http;

/// <summary>
/// Runs /chat-history reads off the stage workers: a fixed number of reader tasks take requests from a bounded queue,
/// read, and write the answer's JSON, so the store is never read on the handshake worker, and a flood of history
/// requests uses at most this many cores however many are pipelined (measured: JSON built on the pool instead let one
/// flooding client take both cores of a 2-core box and push an honest pair's p99 from 50 ms to 870 ms). The embedded store reads
/// synchronously, so each reader holds a pool thread for the length of one read: the pool is small and fixed, and
/// PostgreSQL's asynchronous reads run on the same readers without holding a thread. A full queue is refused at once
/// (the caller answers 503) instead of waiting: waiting would block the worker this class exists to keep free.
/// </summary>
internal sealed class HistoryReader
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly IMessageStore _store;
    private readonly Channel<Request> _queue;
    private readonly Task[] _readers;

    public HistoryReader(IMessageStore store, int readers, int queueCapacity)
    {
        _store = store;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(queueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _readers = new Task[readers];
        for (var i = 0; i < readers; i++) _readers[i] = Task.Run(ReadLoopAsync);
    }

    /// <summary>
    /// Queues one read and its answer: the latest <paramref name="limit"/> messages when <paramref name="since"/> is
    /// negative, else those after it; 503 when the store fails or takes over 5 s. Null when the queue is full.
    /// </summary>
    public Task<(SharedBuffer Buffer, int Length, bool KeepAlive)>? TryRead(long since, int limit, bool keepAlive, bool headOnly)
    {
        var request = new Request(since, limit, keepAlive, headOnly, new(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(request) ? request.Result.Task : null;
    }

    /// <summary>Stops taking reads; the readers finish those queued.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        return Task.WhenAll(_readers);
    }

    private async Task ReadLoopAsync()
    {
        await foreach (var request in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            SharedBuffer buffer;
            int length;
            using var timeout = new CancellationTokenSource(ReadTimeout);
            try
            {
                var messages = request.Since < 0
                    ? await _store.ReadLatestAsync(request.Limit, timeout.Token).ConfigureAwait(false)
                    : await _store.ReadAfterAsync(request.Since, request.Limit, timeout.Token).ConfigureAwait(false);
                var body = HistoryJson.Write(messages);
                buffer = HttpAnswer.Write(200, HttpAnswer.Json, body.WrittenSpan, request.KeepAlive, request.HeadOnly, NoCache, out length);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                buffer = HttpAnswer.Write(503, HttpAnswer.TextPlain, "history unavailable: the store does not answer\n"u8, request.KeepAlive, request.HeadOnly, default, out length);
            }
            request.Result.TrySetResult((buffer, length, request.KeepAlive));
        }
    }

    private static ReadOnlySpan<byte> NoCache => "Cache-Control: no-cache\r\n"u8;

    private sealed record Request(long Since, int Limit, bool KeepAlive, bool HeadOnly, TaskCompletionSource<(SharedBuffer, int, bool)> Result);
}
