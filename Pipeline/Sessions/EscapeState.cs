namespace Chat.Pipeline.Sessions;

/// <summary>The escape stage's own state for one connection: its message rate. Created at the connection's first item, dropped on Closed.</summary>
internal sealed class EscapeState
{
    public TokenBucket Rate;
    /// <summary>Messages refused in a row for the rate limit.</summary>
    public int RateStrikes;
    /// <summary>The rate limit's close is on its way behind the accepted messages: later messages are dropped.</summary>
    public bool RateClosed;
}
