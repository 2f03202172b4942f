namespace Chat.Storage;

/// <summary>
/// Room names as the stores take them: 1..64 characters of <c>a-z 0-9 - _</c> (the pipeline lower-cases and checks
/// what a client sends; a store refuses anything else as a bug). History from before rooms existed is in <see cref="General"/>.
/// </summary>
public static class RoomName
{
    /// <summary>The room of every connection that names none, and of all history stored before rooms.</summary>
    public const string General = "general";

    public const int MaxLength = 64;

    public static bool IsValid(string? name)
    {
        if (name is null || name.Length is 0 or > MaxLength) return false;
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_')) return false;
        }
        return true;
    }

    internal static void Check(string room)
    {
        if (!IsValid(room)) throw new ArgumentException($"'{room}' is not a room name (1..64 of a-z 0-9 - _).", nameof(room));
    }
}
