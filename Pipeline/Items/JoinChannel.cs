using System.Threading.Channels;

namespace Chat.Pipeline.Items;

/// <summary>
/// The handshake's way to the broadcast stage, past the data stages. The broadcast stage takes every waiting join
/// before each item it reads, and the handshake posts a join before it forwards any byte of that connection, so a
/// connection's join is handled before anything the connection sent (or its Closed) reaches broadcast.
/// Unbounded, so that the handshake never waits on broadcast: at most one join per upgrade is in it.
/// </summary>
internal sealed class JoinChannel(ChannelWriter<BroadcastItem> broadcast)
{
    // Not SingleReader: that variant cannot count, and the count is the stage's queue depth.
    private readonly Channel<JoinItem> _joins = Channel.CreateUnbounded<JoinItem>(new UnboundedChannelOptions { SingleWriter = true });

    /// <summary>Joins not yet taken (counted in broadcast's queue depth, so drain waits for them).</summary>
    public int Count => _joins.Reader.Count;

    public void Post(in JoinItem join)
    {
        _joins.Writer.TryWrite(join);
        // Wakes a broadcast stage that waits on its input. When the input is full the stage is busy and takes the join
        // before its next item anyway; when it is completed the pipeline is stopping and the join has nowhere to go.
        broadcast.TryWrite(BroadcastItem.JoinsWaiting());
    }

    public bool TryTake(out JoinItem join) => _joins.Reader.TryRead(out join);
}
