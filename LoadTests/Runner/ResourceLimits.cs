using System.Runtime.InteropServices;

namespace Chat.LoadTests.Runner;

/// <summary>Raises RLIMIT_NOFILE to its hard limit: every connection is a descriptor here, and the started server inherits the limit.</summary>
internal static partial class ResourceLimits
{
    private const int RlimitNofile = 7;

    /// <summary>The soft limit after raising it; -1 where getrlimit is not available.</summary>
    public static long RaiseOpenFiles()
    {
        if (!OperatingSystem.IsLinux()) return -1;
        if (GetRlimit(RlimitNofile, out var limit) != 0) return -1;
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (SetRlimit(RlimitNofile, in raised) == 0) return (long)raised.Current;
        }

        return (long)limit.Current;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Rlimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, in Rlimit limit);
}
