using System.Globalization;

namespace Chat.LoadTests.Measurement;

/// <summary>
/// Reads /proc/PID/stat (utime, stime in clock ticks) and /proc/PID/status (VmRSS): the server's CPU cost is measured
/// from outside, the same way for our server and the baseline.
/// </summary>
internal static class ProcessStats
{
    // USER_HZ is 100 on every Linux this runs on; sysconf(_SC_CLK_TCK) says the same.
    private const double TicksPerSecond = 100;

    public static bool Available => File.Exists("/proc/self/stat");

    public static ProcessSample Read(int processId) => Read(processId.ToString(CultureInfo.InvariantCulture));

    public static ProcessSample ReadSelf() => Read("self");

    /// <summary>utime + stime of a /proc/PID/stat line; the command name in parentheses may hold spaces.</summary>
    public static TimeSpan ParseCpu(string statLine)
    {
        var fields = statLine[(statLine.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ": state is field 0, utime field 11, stime field 12 (fields 14 and 15 of proc(5)).
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
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

    private static ProcessSample Read(string id)
    {
        if (!Available) return default;
        try
        {
            var cpu = ParseCpu(File.ReadAllText($"/proc/{id}/stat"));
            var rss = ParseRss(File.ReadAllText($"/proc/{id}/status"));
            return new ProcessSample(cpu, rss);
        }
        catch (IOException)
        {
            // The process has exited: nothing more to measure.
            return default;
        }
    }
}
