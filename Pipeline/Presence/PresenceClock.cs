using System.Threading.Channels;
using Chat.Pipeline.Items;

namespace Chat.Pipeline.Presence;

/// <summary>
/// Asks the broadcast stage to send presence changes a few times a second, so that a burst of joins and leaves becomes
/// one frame per room. A full broadcast channel skips a tick rather than wait: presence never holds up messages.
/// </summary>
internal static class PresenceClock
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    public static async Task RunAsync(ChannelWriter<BroadcastItem> broadcast, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false)) broadcast.TryWrite(BroadcastItem.PresenceTick());
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
