using System.Diagnostics;

namespace Chat.UnitTests.Infrastructure;

/// <summary>
/// Waits on a condition with a deadline, never on a sleep alone: polls until it holds, and fails the case with what it
/// waited for once the deadline passed. Tests pass on a busy machine this way (a sleep is either too short there or
/// too long everywhere else).
/// </summary>
internal static class Until
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan within, string what, int pollMilliseconds = 5)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > within) throw new TimeoutException($"waited {within.TotalSeconds:0.###} s for: {what}");
            await Task.Delay(pollMilliseconds);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string what, int pollMilliseconds = 5)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > within) throw new TimeoutException($"waited {within.TotalSeconds:0.###} s for: {what}");
            await Task.Delay(pollMilliseconds);
        }
    }
}
