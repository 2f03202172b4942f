using System.Globalization;

namespace Chat.LoadTests.Measurement;

/// <summary>
/// Reads a process's resident memory and thread count from /proc/PID/status and counts its open descriptors in
/// /proc/PID/fd: measured from outside, so a server that leaks them cannot hide it.
/// </summary>
internal static class ProcessResources
{
    /// <summary>RSS, open descriptors and threads; null when the process is gone or /proc is not there.</summary>
    public static (long RssBytes, int OpenFiles, int Threads)? Read(int processId)
    {
        if (!ProcessStats.Available) return null;
        try
        {
            var status = File.ReadAllText($"/proc/{processId}/status");
            var files = Directory.EnumerateFileSystemEntries($"/proc/{processId}/fd").Count();
            return (ProcessStats.ParseRss(status), files, ParseThreads(status));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The <c>Threads:</c> line of /proc/PID/status; 0 when it is missing.</summary>
    public static int ParseThreads(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal)) return int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
        }

        return 0;
    }
}
