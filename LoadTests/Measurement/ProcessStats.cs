using System.Globalization;

namespace Chat.LoadTests.Measurement;

/// <summary>
/// Reads /proc/PID/stat (utime, stime in clock ticks), /proc/PID/status (VmRSS) and /proc/PID/io (syscw): the server's CPU cost is measured
/// from outside, the same way for our server and the baseline.
/// </summary>
internal static class ProcessStats
{
    // USER_HZ is 100 on every Linux this runs on; sysconf(_SC_CLK_TCK) says the same.
    private const double TicksPerSecond = 100;

    public static bool Available => File.Exists("/proc/self/stat");

    public static ProcessSample Read(int processId) => Read(processId.ToString(CultureInfo.InvariantCulture));

    public static ProcessSample ReadSelf() => Read("self");

    /// <summary>
    /// CPU of a process and of its children (PostgreSQL: the postmaster and its backends): the live ones from their
    /// own stat, the exited ones from the parent's cutime and cstime, which the kernel adds when the parent reaps them.
    /// </summary>
    public static TimeSpan ReadTreeCpu(int processId)
    {
        if (!Available) return TimeSpan.Zero;
        TimeSpan total;
        try
        {
            total = ParseCpu(File.ReadAllText($"/proc/{processId}/stat"), withReapedChildren: true);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(directory);
            if (!int.TryParse(name, out _)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                if (ParseParent(stat) == processId) total += ParseCpu(stat);
            }
            catch (IOException)
            {
                // Gone between listing and reading.
            }
        }

        return total;
    }

    /// <summary>The parent pid of a /proc/PID/stat line (field 4 of proc(5)).</summary>
    public static int ParseParent(string statLine) =>
        int.Parse(statLine[(statLine.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);

    /// <summary>
    /// utime + stime of a /proc/PID/stat line, and with <paramref name="withReapedChildren"/> cutime + cstime too; the
    /// command name in parentheses may hold spaces.
    /// </summary>
    public static TimeSpan ParseCpu(string statLine, bool withReapedChildren = false)
    {
        var fields = statLine[(statLine.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14 (fields 14 to 17 of proc(5)).
        var last = withReapedChildren ? 14 : 12;
        long ticks = 0;
        for (var i = 11; i <= last; i++) ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    public static long ParseRss(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
            return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
        }

        return 0;
    }

    /// <summary>The syscw line of a /proc/PID/io text: write-type system calls so far, 0 when absent.</summary>
    public static long ParseWriteCalls(string io)
    {
        foreach (var line in io.Split('\n'))
        {
            if (line.StartsWith("syscw:", StringComparison.Ordinal)) return long.Parse(line["syscw:".Length..].Trim(), CultureInfo.InvariantCulture);
        }

        return 0;
    }

    // /proc/PID/io needs ptrace access to the process: a server of another user reads as 0 rather than failing the run.
    private static long ReadWriteCalls(string id)
    {
        try
        {
            return ParseWriteCalls(File.ReadAllText($"/proc/{id}/io"));
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static ProcessSample Read(string id)
    {
        if (!Available) return default;
        try
        {
            var cpu = ParseCpu(File.ReadAllText($"/proc/{id}/stat"));
            var rss = ParseRss(File.ReadAllText($"/proc/{id}/status"));
            return new ProcessSample(cpu, rss, ReadWriteCalls(id));
        }
        catch (IOException)
        {
            // The process has exited: nothing more to measure.
            return default;
        }
    }
}
