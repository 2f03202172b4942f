namespace Chat.Pipeline.Rooms;

/// <summary>Why a handshake may not enter a room.</summary>
internal enum RoomOpen : byte
{
    Opened,
    /// <summary>CHAT_ROOMS is set and does not list the name.</summary>
    NotAllowed,
    /// <summary>The room is new and CHAT_MAX_ROOMS rooms exist already.</summary>
    Full,
}
