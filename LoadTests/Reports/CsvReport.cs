using System.Text;

namespace Chat.LoadTests.Reports;

/// <summary>Every interval of every step as CSV (RFC 4180 quoting), one row each.</summary>
internal static class CsvReport
{
    public const string Header = "elapsed_s,step,ok,failed,ok_per_s,bytes_in,bytes_out,p50_ms,p75_ms,p95_ms,p99_ms,p999_ms,max_ms,clients,server_cpu_pct,server_rss_bytes";

    public static string Render(RunReport report)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var row in report.Intervals)
        {
            var s = row.Step;
            var l = s.Latency;
            csv.AppendJoin(',',
                Format.Invariant(row.ElapsedSeconds), Quote(s.Step), s.Ok, s.Failed, Format.Invariant(Math.Round(s.OkPerSecond, 2)), s.BytesIn, s.BytesOut,
                Format.Invariant(l.P50), Format.Invariant(l.P75), Format.Invariant(l.P95), Format.Invariant(l.P99), Format.Invariant(l.P999), Format.Invariant(l.Max),
                row.Clients, Format.Invariant(row.ServerCpuPercent), row.ServerRssBytes).Append('\n');
        }

        return csv.ToString();
    }

    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
