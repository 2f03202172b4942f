using Chat.LoadTests.Targets;

namespace Chat.UnitTests.Docs;

/// <summary>
/// Every relative link in the repository's Markdown resolves inside the repository (issue 15): a clone must not get
/// a README that points outside it. The checker itself is tested on files made here, so that it can fail.
/// </summary>
public sealed class MarkdownLinkTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("chat-md-").FullName;

    private static string Root => ServerBinaries.RepositoryRoot()
        ?? throw new InvalidOperationException("Chat.slnx not found above the test binaries: the docs tests run from a checkout");

    [Fact]
    public void Every_relative_link_in_every_markdown_file_of_the_repository_resolves()
    {
        var files = MarkdownLinks.Files(Root).ToList();
        Assert.Contains(files, f => Path.GetRelativePath(Root, f) == "README.md");
        Assert.Contains(files, f => Path.GetRelativePath(Root, f) == Path.Combine("docs", "protocol.md"));
        var broken = MarkdownLinks.Broken(Root, files);
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void The_readme_links_to_every_page_of_the_docs()
    {
        var links = MarkdownLinks.Links(File.ReadAllText(Path.Combine(Root, "README.md"))).Select(l => l.Target).ToHashSet();
        foreach (var page in new[] { "docs/architecture.md", "docs/protocol.md", "docs/guarantees.md", "docs/benchmarks.md", "docs/operations.md", "deploy/README.md" })
        {
            Assert.Contains(page, links);
        }
    }

    [Fact]
    public void A_missing_file_a_missing_heading_and_a_path_out_of_the_repository_are_reported()
    {
        Write("docs/a.md", "# Title\n\n## Second part: the rest\n");
        Write("README.md", string.Join('\n',
            "[ok](docs/a.md) [ok anchor](docs/a.md#second-part-the-rest) [ok self](#readme-title)",
            "# README title",
            "[gone](docs/missing.md)",
            "[bad anchor](docs/a.md#nowhere)",
            "![escape](../outside.png)",
            "<img src=\"docs/none.png\" alt=\"x\">",
            "[web](https://example.com/x.md) [mail](mailto:a@b.c)"));

        var broken = MarkdownLinks.Broken(_scratch, MarkdownLinks.Files(_scratch));

        Assert.Equal(
        [
            "README.md:3: docs/missing.md (no such file)",
            "README.md:4: docs/a.md#nowhere (no such heading)",
            "README.md:5: ../outside.png (outside the repository)",
            "README.md:6: docs/none.png (no such file)",
        ], broken);
    }

    [Fact]
    public void Links_in_code_are_not_links_and_build_output_is_not_checked()
    {
        Write("README.md", "```bash\ncat [x](missing.md)\n```\n`[y](missing.md)` and text\n");
        Write("bin/Release/notes.md", "[z](missing.md)\n");

        Assert.Empty(MarkdownLinks.Broken(_scratch, MarkdownLinks.Files(_scratch)));
        Assert.Single(MarkdownLinks.Files(_scratch));
    }

    [Fact]
    public void Repeated_headings_get_numbered_anchors_as_on_github()
    {
        var anchors = MarkdownLinks.Anchors("# Figures\n## Figures\n### `CHAT_LISTEN`, and more!\n```\n# not a heading\n```\n");

        Assert.Equal(new HashSet<string> { "figures", "figures-1", "chat_listen-and-more" }, anchors);
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_scratch, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
