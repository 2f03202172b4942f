using Chat.Reactor.Epoll;

namespace Chat.Reactor;

/// <summary>
/// How many connections the process's open-file limit leaves room for. Every connection is one descriptor; the rest of
/// the process needs some too, so a reserve is kept back and the default connection cap is what remains. Past the cap
/// the transports refuse at accept, so the process never runs out of descriptors through its clients alone.
/// </summary>
public sealed class DescriptorBudget
{
    /// <summary>
    /// Descriptors kept for the process itself. Measured: an idle server on the embedded store holds 115 (the runtime
    /// keeps two per loaded assembly, about 45 at start and more once PostgreSQL, TLS or logging load theirs; the
    /// SQLite files; stdio; the epoll and eventfd pair of each loop; the spare). Npgsql's pool may open up to 100
    /// more (its default Maximum Pool Size) plus one for the commit feed. 256 covers both with room.
    /// </summary>
    public const int FixedReserve = 256;

    /// <summary>
    /// A further share of the limit (1/16) for what scales with the machine rather than the process: descriptors held
    /// briefly while connections close, files read by other components later, and room for an operator to raise
    /// <c>CHAT_MAX_CONNECTIONS</c> past the default without hitting the limit at once.
    /// </summary>
    public const int ShareDivisor = 16;

    /// <summary>
    /// Descriptors always left free, even when the limit is lowered under a running server (prlimit) so that the cap
    /// no longer fits it: an accepted connection whose descriptor number reaches the limit less this is refused. The
    /// runtime opens files at unforeseeable times (/proc/sys/vm/overcommit_memory when it maps code for the JIT,
    /// /etc/localtime, assemblies); seen under a flood, a failed open there ends the process with "Out of memory.".
    /// </summary>
    public const int Headroom = 64;

    private DescriptorBudget(long limit)
    {
        Limit = limit;
        Reserve = limit <= 0 ? 0 : Math.Min(limit, FixedReserve + limit / ShareDivisor);
        ConnectionCap = limit <= 0 ? 0 : (int)Math.Clamp(limit - Reserve, 1, int.MaxValue);
    }

    /// <summary>The soft open-file limit; 0 when the platform has none we can read (then there is no cap).</summary>
    public long Limit { get; }

    /// <summary>Descriptors kept back for the process itself.</summary>
    public long Reserve { get; }

    /// <summary>The default connection cap: the limit less the reserve, at least 1; 0 (no cap) when the limit is unknown.</summary>
    public int ConnectionCap { get; }

    /// <summary>The budget of a given limit (pure: what <see cref="Raise"/> and <see cref="Read"/> compute from).</summary>
    public static DescriptorBudget ForLimit(long limit) => new(limit);

    /// <summary>The budget of the current soft limit, unchanged.</summary>
    public static DescriptorBudget Read() => new(OperatingSystem.IsLinux() ? SoftLimit() : 0);

    /// <summary>
    /// Raises the soft <c>RLIMIT_NOFILE</c> to the hard one (the soft one is the only one that counts, and a default
    /// shell gives 1024 while allowing far more) and returns the budget of the result. Call once, at start.
    /// </summary>
    public static unsafe DescriptorBudget Raise()
    {
        if (!OperatingSystem.IsLinux()) return new DescriptorBudget(0);
        Libc.RLimit limit;
        if (Libc.getrlimit(Libc.RLIMIT_NOFILE, &limit) == 0 && limit.Current < limit.Maximum)
        {
            var raised = new Libc.RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            // A hard limit of RLIM_INFINITY cannot become the soft one (the kernel caps it at fs.nr_open): keep the soft.
            Libc.setrlimit(Libc.RLIMIT_NOFILE, &raised);
        }
        return new DescriptorBudget(SoftLimit());
    }

    /// <summary>
    /// True when an accepted descriptor leaves less than <see cref="Headroom"/> free under the current soft limit.
    /// Descriptors are numbered lowest-free first, so the number tells how many are in use. One getrlimit call: the
    /// limit may have been changed from outside since the start.
    /// </summary>
    public static bool IsInHeadroom(long descriptor) => OperatingSystem.IsLinux() && SoftLimit() is var limit and > 0 && descriptor >= limit - Headroom;

    private static unsafe long SoftLimit()
    {
        Libc.RLimit limit;
        if (Libc.getrlimit(Libc.RLIMIT_NOFILE, &limit) != 0) return 0;
        return limit.Current > long.MaxValue ? long.MaxValue : (long)limit.Current;
    }
}
