using System.Text.RegularExpressions;
using Chat.UnitTests.Deploy;

namespace Chat.UnitTests.Pipeline.Sessions;

/// <summary>
/// The pipeline writes to a socket and closes it through the session's ConnectionWriter only (issue 18), read off the
/// source tree: no call of a connection's Send, SendRaw, Close or CloseRaw remains anywhere else in Pipeline/. The TLS
/// layer (Pipeline/Tls) is exempt: it is the ciphertext path underneath the writer.
/// </summary>
public sealed partial class OneWayOutTests
{
    // A call on anything named …connection or …Connection (session.Connection, _connection, ev.Connection, connection).
    [GeneratedRegex(@"[Cc]onnection\s*\.\s*(Send|SendRaw|Close|CloseRaw)\s*\(")]
    private static partial Regex SocketCall();

    private static string PipelineFolder => Path.Combine(RepositoryPaths.Root, "Pipeline");

    [Fact]
    public void No_stage_or_helper_outside_the_writer_sends_to_or_closes_a_connection()
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(PipelineFolder, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(PipelineFolder, file).Replace('\\', '/');
            if (IsWriter(relative) || relative.StartsWith("Tls/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal)) continue;
            offenders.AddRange(Calls(file).Select(line => $"Pipeline/{relative}: {line}"));
        }

        Assert.True(offenders.Count == 0, "sends or closes outside the ConnectionWriter:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_check_finds_the_writers_own_calls()
    {
        // Else a renamed field or a changed call shape would make the test above pass whatever the stages do.
        var writer = Directory.EnumerateFiles(Path.Combine(PipelineFolder, "Sessions"), "ConnectionWriter*.cs").ToList();

        Assert.NotEmpty(writer);
        Assert.Contains(writer.SelectMany(Calls), line => line.Contains(".Send(", StringComparison.Ordinal));
        Assert.Contains(writer.SelectMany(Calls), line => line.Contains(".Close(", StringComparison.Ordinal));
    }

    private static bool IsWriter(string relative) =>
        relative.StartsWith("Sessions/ConnectionWriter", StringComparison.Ordinal) && relative.EndsWith(".cs", StringComparison.Ordinal);

    /// <summary>The code lines (comments left out) of <paramref name="file"/> that call a connection's send or close.</summary>
    private static IEnumerable<string> Calls(string file) =>
        File.ReadLines(file).Select(line => line.Trim()).Where(line => !line.StartsWith("//", StringComparison.Ordinal) && SocketCall().IsMatch(line));
}
