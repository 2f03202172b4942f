namespace Chat.Pipeline.Sessions;

/// <summary>The keep-alive sweeper's own state for one connection, from its first ping on; only the sweeper's thread touches it.</summary>
internal sealed class KeepAliveState
{
    /// <summary>Stopwatch timestamp of the last ping sent for silence.</summary>
    public long PingedAt;
}
