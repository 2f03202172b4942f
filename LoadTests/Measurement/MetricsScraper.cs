using System.Globalization;

namespace Chat.LoadTests.Measurement;

/// <summary>Reads counters from a server's Prometheus /metrics page.</summary>
internal static class MetricsScraper
{
    // With --tls the runner made the server's certificate a moment ago; it trusts what the loopback server presents.
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// Every sample by name, labelled ones under their whole series name (<c>x_bucket{le="64"}</c>); null when the
    /// target has no /metrics (the baseline need not).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, double>?> ScrapeAsync(Uri baseUri, CancellationToken cancellation)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(baseUri, "/metrics"), cancellation);
            if (!response.IsSuccessStatusCode) return null;
            return Parse(await response.Content.ReadAsStringAsync(cancellation));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>One sample of a scrape; null when there was no scrape or no such sample.</summary>
    public static double? Counter(IReadOnlyDictionary<string, double>? samples, string name) =>
        samples is not null && samples.TryGetValue(name, out var value) ? value : null;

    public static IReadOnlyDictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.IndexOf(' ', Math.Max(0, line.IndexOf('}') + 1));
            if (space > 0 && double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples[line[..space]] = value;
            }
        }

        return samples;
    }
}
