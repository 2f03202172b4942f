namespace Chat.Reactor;

/// <summary>
/// Rewrites what a connection's owner sends before it reaches the queue (TLS encrypts it), so that no call site of
/// <see cref="Connection.Send"/> or <see cref="Connection.Close"/> has to know. It queues its output with
/// <see cref="Connection.SendRaw"/> and <see cref="Connection.CloseRaw"/>. The reactor itself never sets one.
/// </summary>
public interface IOutboundTransform
{
    /// <summary>Transforms and queues the bytes; the result is that of the queue, or Closed when nothing can go out any more.</summary>
    SendResult Send(Connection connection, SharedBuffer buffer, int offset, int count);

    /// <summary>Transforms and queues <paramref name="lastWords"/> (if any and if still possible), then closes the connection.</summary>
    void Close(Connection connection, SharedBuffer? lastWords, int offset, int count, bool discardQueued);
}
