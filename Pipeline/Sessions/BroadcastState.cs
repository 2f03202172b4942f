namespace Chat.Pipeline.Sessions;

/// <summary>
/// The broadcast stage's own state for one connection: its membership and how far it was sent. Created on join,
/// dropped on Closed; only the broadcast worker touches it.
/// </summary>
internal sealed class BroadcastState
{
    public BroadcastPhase Phase;
    /// <summary>Its place in its room's live array while <see cref="BroadcastPhase.Live"/>; -1 otherwise.</summary>
    public int LiveIndex = -1;
    /// <summary>Highest message id queued to this connection.</summary>
    public long Cursor;
    /// <summary>The escaped name this connection counts under in its room's presence, once it joined.</summary>
    public string? PresentAs;
}
