namespace Chat.Reactor;

/// <summary>One queued write: a range of a shared buffer whose reference the queue holds.</summary>
internal struct OutboundSegment
{
    public SharedBuffer Buffer;
    public int Offset;
    public int Count;

    public OutboundSegment(SharedBuffer buffer, int offset, int count)
    {
        Buffer = buffer;
        Offset = offset;
        Count = count;
    }

    public readonly ArraySegment<byte> AsArraySegment() => new(Buffer.Array, Offset, Count);
}
