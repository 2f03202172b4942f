using System.Text;
using System.Text.RegularExpressions;

namespace Chat.UnitTests.Docs;

/// <summary>
/// Finds the relative links of Markdown files that do not resolve inside the repository: a missing file or folder, a
/// path that leaves the repository, or an #anchor that names no heading of the Markdown file it points at. Links to
/// other sites (any scheme) are not followed: the check must not depend on the network.
/// </summary>
internal static partial class MarkdownLinks
{
    // What .gitignore keeps out of the repository (build output, local tools and data), and git's own folder.
    private static readonly string[] SkippedDirectories = ["bin", "obj", "artifacts", "tools", "data", "TestResults", "BenchmarkDotNet.Artifacts", ".vs", ".idea", ".git"];

    /// <summary>Every *.md under the root, except build output and checkouts of other trees.</summary>
    public static IEnumerable<string> Files(string root) =>
        Directory.EnumerateFiles(root, "*.md", SearchOption.AllDirectories)
            .Where(path => !Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar)
                .Any(part => SkippedDirectories.Contains(part, StringComparer.Ordinal)))
            .Order(StringComparer.Ordinal);

    /// <summary>One line per broken link: "file:line: target (why)", paths relative to the root.</summary>
    public static List<string> Broken(string root, IEnumerable<string> files)
    {
        var broken = new List<string>();
        var fullRoot = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        foreach (var file in files)
        {
            foreach (var (line, target) in Links(File.ReadAllText(file)))
            {
                var why = Problem(fullRoot, file, target);
                if (why is not null) broken.Add($"{Path.GetRelativePath(root, file)}:{line}: {target} ({why})");
            }
        }
        return broken;
    }

    /// <summary>The link targets of a Markdown text with their line numbers, outside fenced code and code spans.</summary>
    public static IEnumerable<(int Line, string Target)> Links(string markdown)
    {
        var inFence = false;
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }
            if (inFence) continue;
            var text = CodeSpan().Replace(line, "");
            foreach (Match match in InlineLink().Matches(text)) yield return (i + 1, match.Groups["target"].Value);
            foreach (Match match in HtmlLink().Matches(text)) yield return (i + 1, match.Groups["target"].Value);
        }
    }

    /// <summary>The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (inFence) continue;
            var heading = Heading().Match(line);
            if (!heading.Success) continue;
            var slug = Slug(heading.Groups["text"].Value);
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++) unique = $"{slug}-{n}";
        }
        return anchors;
    }

    private static string Slug(string heading)
    {
        var text = InlineLink().Replace(heading.Trim(), m => m.Groups["text"].Value);
        var slug = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_') slug.Append(c);
            else if (c == ' ') slug.Append('-');
        }
        return slug.ToString();
    }

    private static string? Problem(string fullRoot, string file, string target)
    {
        if (target.Length == 0) return "empty";
        if (Scheme().IsMatch(target)) return null;
        var hash = target.IndexOf('#', StringComparison.Ordinal);
        var pathPart = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        var anchor = hash < 0 ? null : target[(hash + 1)..];
        var resolved = pathPart.Length == 0
            ? file
            : Path.GetFullPath(pathPart.StartsWith('/') ? Path.Combine(fullRoot, pathPart.TrimStart('/')) : Path.Combine(Path.GetDirectoryName(file)!, pathPart));
        if (!(resolved + Path.DirectorySeparatorChar).StartsWith(fullRoot, StringComparison.Ordinal)) return "outside the repository";
        if (!File.Exists(resolved) && !Directory.Exists(resolved)) return "no such file";
        if (anchor is null) return null;
        if (!resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase)) return null;
        return Anchors(File.ReadAllText(resolved)).Contains(anchor) ? null : "no such heading";
    }

    // [text](target) and ![alt](target), with an optional "title" after the target.
    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\((?<target>[^)\s]*)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"<(?:a|img)\s[^>]*?(?:href|src)=""(?<target>[^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlLink();

    [GeneratedRegex(@"`+[^`]*`+")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();
}
