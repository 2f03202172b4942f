namespace Chat.UnitTests.Browser;

/// <summary>
/// Whether browser tests run here: when Debian's chromium is installed, and always under CI=true (then a missing
/// browser fails). Playwright is pointed at this binary and never downloads a browser of its own.
/// </summary>
internal static class BrowserRequirement
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when the tests run; otherwise the loud reason they are skipped.</summary>
    public static string? SkipReason =>
        File.Exists(ExecutablePath) || IsCi
            ? null
            : $"Chromium not found at {ExecutablePath} (apt-get install -y chromium; ./build.sh --target=Test does it): browser tests skipped";
}
