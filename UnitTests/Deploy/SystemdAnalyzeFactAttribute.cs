namespace Chat.UnitTests.Deploy;

/// <summary>
/// A fact that runs systemd-analyze: skipped with a loud reason when it is missing (./build.sh --target=Test installs
/// it), except under CI=true, where a missing analyzer fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SystemdAnalyzeFactAttribute : FactAttribute
{
    public const string ExecutablePath = "/usr/bin/systemd-analyze";

    public SystemdAnalyzeFactAttribute()
    {
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!File.Exists(ExecutablePath) && !ci)
        {
            Skip = $"{ExecutablePath} not found (apt-get install -y systemd; ./build.sh --target=Test does it): unit verification skipped";
        }
    }
}
