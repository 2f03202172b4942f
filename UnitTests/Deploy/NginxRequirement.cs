using Chat.UnitTests.Infrastructure;

namespace Chat.UnitTests.Deploy;

/// <summary>
/// Whether the nginx tests run here: when Debian's nginx is installed (./build.sh --target=Test installs it), and
/// always under CI=true, where a missing nginx fails. They need PostgreSQL too.
/// </summary>
internal static class NginxRequirement
{
    public const string ExecutablePath = "/usr/sbin/nginx";

    /// <summary>Null when the tests run; otherwise the loud reason they are skipped.</summary>
    public static string? SkipReason =>
        PostgresRequirement.SkipReason
        ?? (File.Exists(ExecutablePath) || PostgresRequirement.IsCi
            ? null
            : $"nginx not found at {ExecutablePath} (apt-get install -y nginx; ./build.sh --target=Test does it): nginx tests skipped");
}
