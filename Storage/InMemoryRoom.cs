namespace Chat.Storage;

/// <summary>One room of an <see cref="InMemoryMessageStore"/>: its messages (a contiguous id range) and its counter.</summary>
internal sealed class InMemoryRoom
{
    // Retention removes a prefix, so Messages[i].Id == FirstId + i.
    public readonly List<StoredMessage> Messages = [];

    public long LastId;

    public long FirstId => Messages.Count > 0 ? Messages[0].Id : LastId + 1;
}
