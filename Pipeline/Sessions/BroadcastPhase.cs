namespace Chat.Pipeline.Sessions;

internal enum BroadcastPhase : byte
{
    /// <summary>Not a WebSocket member (yet, or any more).</summary>
    None,
    /// <summary>Replaying stored messages after <c>since</c>; live messages are not sent until it caught up.</summary>
    CatchingUp,
    /// <summary>Receives every broadcast with an id above its cursor.</summary>
    Live,
}
