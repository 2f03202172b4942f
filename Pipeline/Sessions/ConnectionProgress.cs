namespace Chat.Pipeline.Sessions;

/// <summary>
/// How far a connection got, published for the threads that watch it from outside the stages (the keep-alive
/// sweeper, the drain at shutdown, a failed HTTP answer): its mode (written by the parse stage), since when a head is
/// awaited (parse stage, and the TLS stage while a handshake is under way), and whether the 101 was queued (handshake
/// stage). Each has one writer; reads from any thread see the latest value.
/// </summary>
internal sealed class ConnectionProgress(long openedTimestamp)
{
    private long _awaitingHeadSince = openedTimestamp;
    private int _mode;
    private int _upgraded;

    public SessionMode Mode
    {
        get => (SessionMode)Volatile.Read(ref _mode);
        set => Volatile.Write(ref _mode, (int)value);
    }

    /// <summary>Stopwatch timestamp since which a request head is awaited.</summary>
    public long AwaitingHeadSince
    {
        get => Volatile.Read(ref _awaitingHeadSince);
        set => Volatile.Write(ref _awaitingHeadSince, value);
    }

    /// <summary>The 101 answer was queued: the connection speaks WebSocket from here on.</summary>
    public bool Upgraded
    {
        get => Volatile.Read(ref _upgraded) == 1;
        set => Volatile.Write(ref _upgraded, value ? 1 : 0);
    }
}
