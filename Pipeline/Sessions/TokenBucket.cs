using System.Diagnostics;

namespace Chat.Pipeline.Sessions;

/// <summary>Messages-per-second limit of one connection: refills continuously up to a burst.</summary>
internal struct TokenBucket
{
    private double _tokens;
    private long _stamp;
    private bool _started;

    /// <summary>Takes one token at <paramref name="now"/> (a Stopwatch timestamp); false when the bucket is empty.</summary>
    public bool TryTake(long now, double perSecond, double burst)
    {
        if (!_started)
        {
            _started = true;
            _tokens = burst;
        }
        else
        {
            _tokens = Math.Min(burst, _tokens + (now - _stamp) * perSecond / Stopwatch.Frequency);
        }
        _stamp = now;
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}
