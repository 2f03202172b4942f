namespace Chat.Storage;

/// <summary>The argument checks of <see cref="IMessageStore"/>, one place for every store, so all refuse alike.</summary>
internal static class StoreArguments
{
    public static void CheckAppend(string room, ReadOnlyMemory<NewMessage> batch)
    {
        RoomName.Check(room);
        if (batch.IsEmpty)
        {
            throw new ArgumentException("A batch holds at least one message.", nameof(batch));
        }
    }

    public static void CheckRead(string room, int limit)
    {
        RoomName.Check(room);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
    }
}
