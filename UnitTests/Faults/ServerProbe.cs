using System.Globalization;
using System.Net;
using System.Text.Json;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Faults;

/// <summary>What a test reads from a running server over HTTP: /healthz, /metrics, the whole of /chat-history.</summary>
internal static class ServerProbe
{
    private const int HistoryPage = 1000;

    public static HttpClient Http(Uri server) => new() { BaseAddress = server, Timeout = TimeSpan.FromSeconds(15) };

    public static async Task<HttpStatusCode> HealthAsync(Uri server)
    {
        using var http = Http(server);
        using var answer = await http.GetAsync("/healthz");
        return answer.StatusCode;
    }

    /// <summary>One unlabelled sample of /metrics.</summary>
    public static async Task<double> MetricAsync(Uri server, string name)
    {
        using var http = Http(server);
        var text = await http.GetStringAsync("/metrics");
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal)) return double.Parse(line.AsSpan(name.Length + 1), CultureInfo.InvariantCulture);
        }
        throw new InvalidDataException($"/metrics has no sample {name}");
    }

    /// <summary>The id of the newest stored message, 0 when there is none: a since= that skips what is already there.</summary>
    public static async Task<long> LastIdAsync(Uri server)
    {
        using var http = Http(server);
        var json = JsonDocument.Parse(await http.GetStringAsync("/chat-history?limit=1")).RootElement;
        return json.GetArrayLength() == 0 ? 0 : json[0].GetProperty("id").GetInt64();
    }

    /// <summary>Every stored message, oldest first, paging through /chat-history?since= (bounded to a million).</summary>
    public static async Task<List<ChatFrame>> HistoryAsync(Uri server)
    {
        using var http = Http(server);
        var all = new List<ChatFrame>();
        long since = 0;
        for (var page = 0; page < 1000; page++)
        {
            var json = JsonDocument.Parse(await http.GetStringAsync($"/chat-history?since={since}&limit={HistoryPage}")).RootElement;
            foreach (var message in json.EnumerateArray()) all.Add(ChatFrame.From(message));
            if (json.GetArrayLength() < HistoryPage) return all;
            since = all[^1].Id;
        }
        throw new InvalidDataException("more than a million messages in the history");
    }

    /// <summary>Resident set size of a process, from /proc (Linux).</summary>
    public static long ResidentBytes(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidDataException("no VmRSS line");
    }
}
