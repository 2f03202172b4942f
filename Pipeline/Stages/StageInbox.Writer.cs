using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Chat.Pipeline.Stages;

internal sealed partial class StageInbox<T>
{
    /// <summary>Writes into the stage's channel, then hands the item to a drainer: itself inline, or the worker.</summary>
    private sealed class InboxWriter(StageInbox<T> inbox, ChannelWriter<T> queue) : ChannelWriter<T>
    {
        public override bool TryWrite(T item)
        {
            if (!queue.TryWrite(item)) return false;
            // TryWrite cannot wait on an inline drain: the worker takes it.
            inbox.Notify(inline: false);
            return true;
        }

        public override ValueTask WriteAsync(T item, CancellationToken cancellationToken = default) =>
            queue.TryWrite(item) ? inbox.Notify(inline: true) : WriteWhenRoomAsync(item, cancellationToken);

        public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => queue.WaitToWriteAsync(cancellationToken);

        public override bool TryComplete(Exception? error = null)
        {
            var completed = queue.TryComplete(error);
            inbox.Wake();
            return completed;
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        private async ValueTask WriteWhenRoomAsync(T item, CancellationToken cancellationToken)
        {
            await queue.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            await inbox.Notify(inline: true).ConfigureAwait(false);
        }
    }
}
