using System.Buffers;
using System.Collections.Concurrent;
using Chat.Reactor;
using Chat.Storage;

namespace Chat.Pipeline.Http;

/// <summary>
/// Runs /chat-history reads off the stage workers. A fixed number of dedicated reader threads take requests from a
/// bounded queue, read, and write the answer's JSON: the embedded store reads synchronously, so its reads block these
/// threads and never a pool thread (measured: one blocked pool thread on a 2-core box stalled every stage for the
/// ~0.5 s the pool takes to add a thread), and a flood of history requests uses at most this many cores however many
/// are pipelined (JSON built on the pool instead let one client take both cores and push an honest pair's p99 from
/// 50 ms to 870 ms). PostgreSQL reads are asynchronous I/O, and the reader waits for each on its own thread: at most
/// this many reads run at once on either store, which also bounds the database's share of the cores (with four
/// concurrent 1,000-row reads per reader, PostgreSQL beside the server pushed the pair's p99 to 384 ms). A full queue
/// is refused at once (the caller answers 503): waiting would block the worker this class exists to keep free.
/// </summary>
internal sealed class HistoryReader
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly IMessageStore _store;
    private readonly BlockingCollection<Request> _queue;
    private readonly Thread[] _readers;

    public HistoryReader(IMessageStore store, int readers, int queueCapacity)
    {
        _store = store;
        _queue = new BlockingCollection<Request>(new ConcurrentQueue<Request>(), queueCapacity);
        _readers = new Thread[readers];
        for (var i = 0; i < readers; i++)
        {
            _readers[i] = new Thread(ReadLoop) { IsBackground = true, Name = $"history-reader-{i}" };
            _readers[i].Start();
        }
    }

    /// <summary>
    /// Queues one read of <paramref name="room"/> and its answer: the latest <paramref name="limit"/> messages when
    /// <paramref name="since"/> is negative, else those after it; 503 when the store fails or takes over 5 s. Null when
    /// the queue is full.
    /// </summary>
    public Task<(SharedBuffer Buffer, int Length, bool KeepAlive)>? TryRead(string room, long since, int limit, bool keepAlive, bool headOnly)
    {
        var request = new Request(room, since, limit, keepAlive, headOnly, new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            return _queue.TryAdd(request) ? request.Result.Task : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Stops taking reads; the readers finish those queued and exit.</summary>
    public Task StopAsync()
    {
        _queue.CompleteAdding();
        return Task.Run(() =>
        {
            foreach (var reader in _readers) reader.Join();
        });
    }

    private void ReadLoop()
    {
        foreach (var request in _queue.GetConsumingEnumerable())
        {
            using var timeout = new CancellationTokenSource(ReadTimeout);
            Task<IReadOnlyList<StoredMessage>> read;
            try
            {
                read = request.Since < 0
                    ? _store.ReadLatestAsync(request.Room, request.Limit, timeout.Token)
                    : _store.ReadAfterAsync(request.Room, request.Since, request.Limit, timeout.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                read = Task.FromException<IReadOnlyList<StoredMessage>>(e);
            }
            // Blocks this dedicated thread only; the read's own I/O completes on the pool.
            ((Task)read).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
            Answer(request, read);
        }
    }

    private static void Answer(Request request, Task<IReadOnlyList<StoredMessage>> read)
    {
        SharedBuffer buffer;
        int length;
        if (!read.IsCompletedSuccessfully)
        {
            buffer = HttpAnswer.Write(503, HttpAnswer.TextPlain, "history unavailable: the store does not answer\n"u8, request.KeepAlive, request.HeadOnly, default, out length);
        }
        else if (TryWrite(request.Room, read.Result) is { } body)
        {
            buffer = HttpAnswer.Write(200, HttpAnswer.Json, body.WrittenSpan, request.KeepAlive, request.HeadOnly, NoCache, out length);
        }
        else
        {
            buffer = HttpAnswer.Write(500, HttpAnswer.TextPlain, "internal server error: a stored message is unreadable\n"u8, request.KeepAlive, request.HeadOnly, default, out length);
        }
        request.Result.TrySetResult((buffer, length, request.KeepAlive));
    }

    // A row no store should return (a null text) is the store's bug: that request gets a 500, and this reader thread,
    // whose unhandled exception would end the process, goes on.
    private static ArrayBufferWriter<byte>? TryWrite(string room, IReadOnlyList<StoredMessage> messages)
    {
        try
        {
            return HistoryJson.Write(room, messages);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static ReadOnlySpan<byte> NoCache => "Cache-Control: no-cache\r\n"u8;

    private sealed record Request(string Room, long Since, int Limit, bool KeepAlive, bool HeadOnly, TaskCompletionSource<(SharedBuffer, int, bool)> Result);
}
