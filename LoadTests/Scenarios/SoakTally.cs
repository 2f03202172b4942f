namespace Chat.LoadTests.Scenarios;

/// <summary>What the soak's cycles did and saw, counted from parallel workers (hence fields for <see cref="Interlocked"/>).</summary>
internal sealed class SoakTally
{
    public long Cycles;
    public long SlowReaders;
    public long Floods;
    public long FloodsAtCap;
    public long FloodHeld;
    public long FloodRefused503;
    public long FloodClosedAtOnce;
    public long FloodOtherStatus;
    public long FloodErrors;
    public long MaxFloodHeld;
    public long MaxRecoveryMicros;
    public long RecoveryFailures;
    public long HalfOpened;
    public long HalfOpenClosed;
    public long HalfOpenErrors;
    public long OversizedSent;
    public long Oversized1009;
    public long OversizedOtherClose;
    public long OversizedRefused;
    public long OversizedErrors;

    public static void Max(ref long field, long value)
    {
        var seen = Interlocked.Read(ref field);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref field, value, seen);
            if (previous == seen) return;
            seen = previous;
        }
    }
}
