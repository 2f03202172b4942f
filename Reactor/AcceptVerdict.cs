namespace Chat.Reactor;

/// <summary>What the accept path does with a connection it has just accepted.</summary>
internal enum AcceptVerdict
{
    /// <summary>Kept: it becomes a connection.</summary>
    Admit,

    /// <summary>Refused: <see cref="ReactorOptions.MaxConnections"/> are open.</summary>
    AtCap,

    /// <summary>Refused: its descriptor is within <see cref="DescriptorBudget.Headroom"/> of the open-file limit.</summary>
    InHeadroom,

    /// <summary>Refused: accepted on the spare descriptor after EMFILE, only to tell the peer at once.</summary>
    Shed,
}
