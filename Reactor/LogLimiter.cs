namespace Chat.Reactor;

/// <summary>One repeating warning's budget: the first `burst` occurrences in each `period` are logged; later ones
/// are only counted, and the next occurrence that is allowed reports how many were suppressed. Thread-safe, no allocation.</summary>
public sealed class LogLimiter
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly int _burst;
    private readonly long _periodTicks;
    private long _windowStart;
    private int _loggedInWindow;
    private long _suppressed;

    /// <param name="burst">Occurrences logged per period; at least 1.</param>
    /// <param name="period">Length of one budget window; default 10 s, must be positive.</param>
    public LogLimiter(int burst = 5, TimeSpan? period = null)
        : this(TimeProvider.System, burst, period)
    {
    }

    /// <summary>Tests pass a clock they move by hand, so the period is checked without sleeping.</summary>
    internal LogLimiter(TimeProvider clock, int burst = 5, TimeSpan? period = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        var length = period ?? TimeSpan.FromSeconds(10);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, TimeSpan.Zero, nameof(period));
        _clock = clock;
        _burst = burst;
        _periodTicks = (long)(length.TotalSeconds * clock.TimestampFrequency);
        _windowStart = clock.GetTimestamp();
    }

    /// <summary>True when this occurrence should be logged; then `suppressed` is how many were dropped since the last
    /// logged one (say so in the line when > 0).</summary>
    public bool TryAcquire(out long suppressed)
    {
        var now = _clock.GetTimestamp();
        lock (_gate)
        {
            if (now - _windowStart >= _periodTicks)
            {
                _windowStart = now;
                _loggedInWindow = 0;
            }
            if (_loggedInWindow < _burst)
            {
                _loggedInWindow++;
                suppressed = _suppressed;
                _suppressed = 0;
                return true;
            }
            _suppressed++;
            suppressed = 0;
            return false;
        }
    }
}
