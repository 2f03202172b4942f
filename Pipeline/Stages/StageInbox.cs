using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Chat.Pipeline.Stages;

/// <summary>
/// The bounded channel in front of a stage, read the way every stage reads (wait, then take what is queued), with one
/// change in who does the reading: a stage that writes here while this stage's worker sleeps runs this stage's drain
/// itself, on its own thread, instead of waking the worker. At low rates that saves a thread-pool wake-up per hop and
/// message (Netty runs a handler inline the same way when it is already on the handler's event loop); at high rates the
/// worker is busy, the writer finds the gate taken, and the stages run apart as before.
/// A gate says who drains: whoever holds it is the channel's only reader, so each stage's state is touched by one
/// thread at a time and items leave in the order they came. The worker takes the gate when it wakes, and it sleeps on
/// its own wake signal rather than on the channel, so that a write drained inline wakes nobody.
/// The channel stays the stage's queue: its depth is what /metrics and the drain read.
/// </summary>
internal sealed partial class StageInbox<T> : ChannelReader<T>
{
    private const int Free = 0;
    private const int Held = 1;

    private readonly ChannelReader<T> _queue;
    // Capacity one, extra wakes dropped: a pending wake is remembered, and many writes cost one wake-up at most.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
        AllowSynchronousContinuations = false,
    });
    private Func<ValueTask>? _drain;
    private int _gate;
    /// <summary>Set while the worker holds the gate: from its wait returning true to its next wait.</summary>
    private bool _workerHolds;
    private long _inlineRuns;
    /// <summary>What an inline drain threw: the stage has failed, and its worker rethrows it as its own.</summary>
    private ExceptionDispatchInfo? _failure;

    public StageInbox(Channel<T> channel)
    {
        _queue = channel.Reader;
        Writer = new InboxWriter(this, channel.Writer);
    }

    /// <summary>
    /// Every writer's: the channel's own writer would queue items without waking the worker, which sleeps on its wake
    /// signal. WriteAsync may run the drain inline; TryWrite, which cannot wait for it, only wakes the worker.
    /// </summary>
    public ChannelWriter<T> Writer { get; }

    /// <summary>The stage's reader (this): named like a channel's, so that wiring reads the same for both.</summary>
    public ChannelReader<T> Reader => this;

    /// <summary>Counts each time a writer ran the drain itself instead of waking the worker.</summary>
    public long InlineRuns => Interlocked.Read(ref _inlineRuns);

    /// <summary>
    /// The stage's drain: takes what is queued (<see cref="TryRead"/> until false) and handles it. Without one, every
    /// write wakes the worker.
    /// </summary>
    public void DrainWith(Func<ValueTask> drain) => _drain = drain;

    public override bool CanCount => true;

    public override bool CanPeek => true;

    public override int Count => _queue.Count;

    public override Task Completion => _queue.Completion;

    public override bool TryRead([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T item) => _queue.TryRead(out item);

    public override bool TryPeek([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T item) => _queue.TryPeek(out item);

    /// <summary>
    /// The worker's wait: true once items are queued and the worker holds the gate (until its next call), false once
    /// the channel is completed, empty and nobody drains it any more.
    /// </summary>
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        Volatile.Read(ref _failure)?.Throw();
        if (_workerHolds)
        {
            _workerHolds = false;
            // The worker looks again itself below, so its release wakes nobody.
            Interlocked.Exchange(ref _gate, Free);
        }
        return TryTake(out var more) ? new ValueTask<bool>(more) : SleepAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SleepAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Every change after TryTake failed wakes this: a write not drained inline, an inline drain letting go of
            // the gate with items left, or completion. A wake that came earlier is still pending, so none is lost.
            await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            _wake.Reader.TryRead(out _);
            Volatile.Read(ref _failure)?.Throw();
            if (TryTake(out var more)) return more;
        }
    }

    /// <summary>True when the worker's wait is decided: <paramref name="more"/> says whether there is work.</summary>
    private bool TryTake(out bool more)
    {
        more = false;
        if (_queue.Count == 0 && !_queue.Completion.IsCompleted) return false;
        if (Interlocked.CompareExchange(ref _gate, Held, Free) != Free) return false;
        if (_queue.Count > 0)
        {
            _workerHolds = more = true;
            return true;
        }
        // Completed and empty: the gate is kept, so no writer can start a drain of a stage that has finished.
        if (_queue.Completion.IsCompleted) return true;
        // An inline drain took the items between the two looks.
        Release();
        return false;
    }

    /// <summary>A writer's item is queued: drain it here when allowed and nobody drains, else wake the worker.</summary>
    private ValueTask Notify(bool inline)
    {
        if (inline && _drain is not null && InlineDepth.CanEnter && Interlocked.CompareExchange(ref _gate, Held, Free) == Free)
        {
            return RunInline();
        }
        Wake();
        return default;
    }

    private ValueTask RunInline()
    {
        Interlocked.Increment(ref _inlineRuns);
        ValueTask pending;
        InlineDepth.Enter();
        try
        {
            pending = _drain!();
        }
        catch (Exception e)
        {
            // A drain that is not an async method (broadcast's) throws here rather than in its ValueTask.
            Fail(e);
            return default;
        }
        finally
        {
            InlineDepth.Leave();
        }
        if (!pending.IsCompleted) return ReleaseWhenDone(pending);
        try
        {
            pending.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            Fail(e);
            return default;
        }
        Release();
        return default;
    }

    /// <summary>The drain waits on a full channel further on: the writer waits with it, the gate held until it ends.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReleaseWhenDone(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);
            return;
        }
        Release();
    }

    /// <summary>
    /// A drain threw past the stage's own per-item handling, so the stage is dead, as if its worker had thrown: the
    /// worker rethrows it (the supervisor names the right stage), the writer goes on, and the gate stays taken, so that
    /// the channel fills and holds its writers back as in front of any failed stage.
    /// </summary>
    private void Fail(Exception exception)
    {
        Volatile.Write(ref _failure, ExceptionDispatchInfo.Capture(exception));
        Wake();
    }

    /// <summary>
    /// Lets go of the gate, then looks again: an item written while it was held found it taken and only woke the
    /// worker, which found it taken too, so someone has to look after the release (the lost wake-up).
    /// </summary>
    private void Release()
    {
        Interlocked.Exchange(ref _gate, Free);
        if (_queue.Count > 0 || _queue.Completion.IsCompleted) Wake();
    }

    private void Wake() => _wake.Writer.TryWrite(true);
}
