using System.Net.WebSockets;

namespace Chat.UnitTests.Infrastructure;

/// <summary>
/// Collecting in the background: every chatMessage lands in <see cref="Frames"/> while the case sends, so that it can
/// wait for counts across many clients and see which connections were dropped under it (a proxy or a node gone).
/// </summary>
internal sealed partial class RawClient
{
    private static readonly TimeSpan CollectPoll = TimeSpan.FromSeconds(1);
    private readonly List<ChatFrame> _collected = [];
    private Task _collecting = Task.CompletedTask;
    private volatile bool _stopCollecting;

    /// <summary>True once a collecting client's connection ended without our asking.</summary>
    public bool IsDropped { get; private set; }

    public IReadOnlyList<ChatFrame> Frames
    {
        get
        {
            lock (_collected) return [.. _collected];
        }
    }

    /// <summary>Starts reading every message into <see cref="Frames"/>; the client's own reads must not be used after.</summary>
    public RawClient StartCollecting()
    {
        _collecting = Task.Run(CollectAsync);
        return this;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived; throws with what did after the deadline.</summary>
    public async Task<IReadOnlyList<ChatFrame>> WaitForAsync(int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Frames.Count < count)
        {
            // A message that is not a chatMessage ends the loop with its exception: report it rather than time out.
            if (_collecting.IsFaulted) await _collecting;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Frames.Count} of {count} messages within {within.TotalSeconds} s (dropped: {IsDropped})");
            await Task.Delay(20);
        }
        return Frames;
    }

    private async Task CollectAsync()
    {
        while (!_stopCollecting)
        {
            try
            {
                var frame = ChatFrame.From(await ReceiveAsync(CollectPoll));
                lock (_collected) _collected.Add(frame);
            }
            catch (TimeoutException)
            {
            }
            catch (WebSocketException)
            {
                IsDropped = !_stopCollecting;
                return;
            }
        }
    }

    private async Task StopCollectingAsync()
    {
        _stopCollecting = true;
        await _collecting;
    }
}
