using System.Diagnostics;
using Chat.LoadTests.Client;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Runner;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// Sends numbered, stamped chat messages on one socket at a fixed rate for a time (open model: a late message is
/// sent at once, the schedule does not slide), or as fast as the socket takes them when the rate is infinite.
/// </summary>
internal sealed class PacedSender(LeanWebSocket socket, int runId, int senderId, int commentLength, StepStats step, long firstSequence = 0)
{
    private readonly byte[] _buffer = new byte[ChatPayload.MaxLength(commentLength)];

    public int SenderId { get; } = senderId;

    /// <summary>
    /// The next sequence number: messages carry <c>firstSequence</c> … Sent-1, so a client that sends over several
    /// sessions keeps one numbered stream.
    /// </summary>
    public long Sent { get; private set; } = firstSequence;

    public async Task RunAsync(double perSecond, TimeSpan duration, CancellationToken cancellation, Func<bool>? mayContinue = null)
    {
        var schedule = new SendSchedule(perSecond);
        var clock = Stopwatch.StartNew();
        long here = 0;
        try
        {
            while (clock.Elapsed < duration)
            {
                var due = double.IsPositiveInfinity(perSecond) ? here + 1 : schedule.DueBy(clock.Elapsed);
                while (here < due && clock.Elapsed < duration)
                {
                    if (mayContinue is not null && !mayContinue())
                    {
                        await Task.Delay(1, cancellation);
                        break;
                    }

                    var length = ChatPayload.Write(_buffer, runId, SenderId, Sent, Stopwatch.GetTimestamp(), commentLength);
                    await socket.SendTextAsync(_buffer.AsMemory(0, length), cancellation);
                    step.Count(bytesOut: length);
                    Sent++;
                    here++;
                }

                if (!double.IsPositiveInfinity(perSecond))
                {
                    var wait = schedule.DueAt(here) - clock.Elapsed;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, cancellation);
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The run ended.
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            step.Fail();
        }
    }
}
