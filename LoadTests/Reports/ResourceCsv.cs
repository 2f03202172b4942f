using System.Globalization;
using System.Text;
using Chat.LoadTests.Measurement;

namespace Chat.LoadTests.Reports;

/// <summary>The server's sampled resources as CSV, one row a second; empty cells where /metrics did not answer.</summary>
internal static class ResourceCsv
{
    public const string Header = "elapsed_s,rss_bytes,open_files,threads,gc_heap_bytes,managed_bytes,connections";

    public static string Render(IReadOnlyList<ResourceSample> samples)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var s in samples)
        {
            csv.AppendJoin(',', Format.Invariant(s.ElapsedSeconds), s.RssBytes, s.OpenFiles, s.Threads, Cell(s.HeapBytes), Cell(s.ManagedBytes), Cell(s.Connections)).Append('\n');
        }

        return csv.ToString();
    }

    private static string Cell(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
