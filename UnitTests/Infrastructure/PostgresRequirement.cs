using Chat.LoadTests.Infrastructure;

namespace Chat.UnitTests.Infrastructure;

/// <summary>Whether PostgreSQL tests run here: when the binaries exist, and always under CI=true (then missing binaries fail).</summary>
internal static class PostgresRequirement
{
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when the tests run; otherwise the loud reason they are skipped.</summary>
    public static string? SkipReason =>
        PostgresCluster.BinariesAvailable || IsCi
            ? null
            : $"PostgreSQL 15 binaries not found in {PostgresCluster.BinDirectory}: Postgres tests skipped";
}
