using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.LoadTests.Reports;

/// <summary>The whole run (parameters, steps, every interval, figures, checks) as indented JSON.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Render(RunReport report) => JsonSerializer.Serialize(report, Options);

    public static string Render(BenchReport report) => JsonSerializer.Serialize(report, Options);
}
