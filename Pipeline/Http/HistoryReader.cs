using System.Buffers;
using System.Collections.Concurrent;
using Chat.Pipeline.Rooms;
using Chat.Reactor;
using Chat.Storage;

namespace Chat.Pipeline.Http;

/// <summary>
/// Runs the store reads of /chat-history and /rooms off the stage workers. A fixed number of dedicated reader threads
/// take requests from a bounded queue, read, and write the answer's JSON: the embedded store reads synchronously, so its
/// reads block these threads and never a pool thread (measured: one blocked pool thread on a 2-core box stalled every
/// stage for the ~0.5 s the pool takes to add a thread), and a flood of history requests uses at most this many cores
/// however many are pipelined (JSON built on the pool instead let one client take both cores and push an honest pair's
/// p99 from 50 ms to 870 ms; a /rooms flood on the pool, from 5 ms to 2.6 s). PostgreSQL reads are asynchronous I/O,
/// and the reader waits for each on its own thread: at most this many reads run at once on either store, which also
/// bounds the database's share of the cores (with four concurrent 1,000-row reads per reader, PostgreSQL beside the
/// server pushed the pair's p99 to 384 ms). A full queue is refused at once (the caller answers 503): waiting would
/// block the worker this class exists to keep free.
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
    public Task<(SharedBuffer Buffer, int Length, bool KeepAlive)>? TryRead(string room, long since, int limit, bool keepAlive, bool headOnly) =>
        TryQueue(new Request(room, since, limit, null, keepAlive, headOnly, new(TaskCreationOptions.RunContinuationsAsynchronously)));

    /// <summary>
    /// Queues one read of the rooms the store holds and the /rooms answer that merges them with
    /// <paramref name="rooms"/>; 503 when the store fails or takes over 5 s. Null when the queue is full: /rooms reads
    /// every room's last id, and a flood of it must wait its turn with history rather than take the pool's threads.
    /// </summary>
    public Task<(SharedBuffer Buffer, int Length, bool KeepAlive)>? TryReadRooms(RoomDirectory rooms, bool keepAlive, bool headOnly) =>
        TryQueue(new Request(RoomName.General, -1, 0, rooms, keepAlive, headOnly, new(TaskCreationOptions.RunContinuationsAsynchronously)));

    private Task<(SharedBuffer Buffer, int Length, bool KeepAlive)>? TryQueue(Request request)
    {
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
            var answer = request.Rooms is { } rooms
                ? AnswerRooms(request, rooms, ReadAndWait(static (store, _, token) => store.ReadRoomsAsync(token), request, timeout.Token))
                : AnswerHistory(request, ReadAndWait(static (store, r, token) => r.Since < 0
                    ? store.ReadLatestAsync(r.Room, r.Limit, token)
                    : store.ReadAfterAsync(r.Room, r.Since, r.Limit, token), request, timeout.Token));
            request.Result.TrySetResult(answer);
        }
    }

    private Task<T> ReadAndWait<T>(Func<IMessageStore, Request, CancellationToken, Task<T>> start, Request request, CancellationToken token)
    {
        Task<T> read;
        try
        {
            read = start(_store, request, token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            read = Task.FromException<T>(e);
        }
        // Blocks this dedicated thread only; the read's own I/O completes on the pool.
        ((Task)read).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        return read;
    }

    private static (SharedBuffer, int, bool) AnswerHistory(Request request, Task<IReadOnlyList<StoredMessage>> read)
    {
        if (!read.IsCompletedSuccessfully)
        {
            return Write(request, 503, HttpAnswer.TextPlain, "history unavailable: the store does not answer\n"u8, default);
        }
        return TryWrite(request.Room, read.Result) is { } body
            ? Write(request, 200, HttpAnswer.Json, body.WrittenSpan, NoCache)
            : Write(request, 500, HttpAnswer.TextPlain, "internal server error: a stored message is unreadable\n"u8, default);
    }

    // The JSON is written here, on the reader thread, as history's is: a flood of /rooms costs at most this many cores.
    private static (SharedBuffer, int, bool) AnswerRooms(Request request, RoomDirectory rooms, Task<IReadOnlyList<RoomSummary>> read)
    {
        if (!read.IsCompletedSuccessfully)
        {
            return Write(request, 503, HttpAnswer.TextPlain, "rooms unavailable: the store does not answer\n"u8, default);
        }
        try
        {
            return Write(request, 200, HttpAnswer.Json, RoomsAnswer.Write(read.Result, rooms).WrittenSpan, NoCache);
        }
        catch (ArgumentException)
        {
            return Write(request, 500, HttpAnswer.TextPlain, "internal server error: a stored room is unreadable\n"u8, default);
        }
    }

    private static (SharedBuffer, int, bool) Write(Request request, int status, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body, ReadOnlySpan<byte> extraHeaders)
    {
        var buffer = HttpAnswer.Write(status, contentType, body, request.KeepAlive, request.HeadOnly, extraHeaders, out var length);
        return (buffer, length, request.KeepAlive);
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

    /// <summary>A history read of Room, or a /rooms read when Rooms is set.</summary>
    private sealed record Request(string Room, long Since, int Limit, RoomDirectory? Rooms, bool KeepAlive, bool HeadOnly,
        TaskCompletionSource<(SharedBuffer, int, bool)> Result);
}
