namespace Chat.Pipeline.Stages;

/// <summary>
/// How many stages the current thread is running inside each other (<see cref="StageInbox{T}"/>'s inline drains).
/// Bounded so that a chain of stages cannot grow the stack without end; past the bound, the next stage's worker runs it.
/// One counter for every item type: a per-type [ThreadStatic] in the generic inbox would count each type apart.
/// </summary>
internal static class InlineDepth
{
    /// <summary>The four hops deframe → unmask → escape → encode fit, with room for a broadcast run from a stage.</summary>
    public const int Max = 6;

    [ThreadStatic]
    private static int t_depth;

    public static bool CanEnter => t_depth < Max;

    public static void Enter() => t_depth++;

    public static void Leave() => t_depth--;
}
