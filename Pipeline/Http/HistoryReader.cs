using System.Threading.Channels;
using Chat.Storage;

namespace Chat.Pipeline.Http;

/// <summary>
/// Runs /chat-history reads off the stage workers: a fixed number of reader tasks take requests from a bounded queue,
/// so the store is never read on the handshake worker, however many requests are pipelined. The embedded store reads
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
    /// Queues one read: the latest <paramref name="limit"/> messages when <paramref name="since"/> is negative, else
    /// those after it. Null when the queue is full; the task fails when the store fails or takes over 5 s.
    /// </summary>
    public Task<IReadOnlyList<StoredMessage>>? TryRead(long since, int limit)
    {
        var request = new Request(since, limit, new TaskCompletionSource<IReadOnlyList<StoredMessage>>(TaskCreationOptions.RunContinuationsAsynchronously));
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
            using var timeout = new CancellationTokenSource(ReadTimeout);
            try
            {
                var messages = request.Since < 0
                    ? await _store.ReadLatestAsync(request.Limit, timeout.Token).ConfigureAwait(false)
                    : await _store.ReadAfterAsync(request.Since, request.Limit, timeout.Token).ConfigureAwait(false);
                request.Result.TrySetResult(messages);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                request.Result.TrySetException(e);
            }
        }
    }

    private sealed record Request(long Since, int Limit, TaskCompletionSource<IReadOnlyList<StoredMessage>> Result);
}
