using Chat.LoadTests.Targets;

namespace Chat.UnitTests.Deploy;

/// <summary>Files of the checkout the tests run from: the deploy/ folder, the release's version and its tarball.</summary>
internal static class RepositoryPaths
{
    public static string Root => ServerBinaries.RepositoryRoot()
        ?? throw new InvalidOperationException("Chat.slnx not found above the test binaries: the deploy tests run from a checkout");

    public static string Deploy(string file) => Path.Combine(Root, "deploy", file);

    /// <summary><c>&lt;Version&gt;</c> of Directory.Build.props, the one place the version is set.</summary>
    public static string Version =>
        System.Xml.Linq.XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("Version").Single().Value.Trim();

    public static string ReleaseName => $"chat-server-{Version}-linux-x64";

    /// <summary>What <c>./build.sh --target=Publish</c> wrote; the Test target runs Publish first.</summary>
    public static string Tarball
    {
        get
        {
            var path = Path.Combine(Root, "artifacts", "release", ReleaseName + ".tar.gz");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"{path} is missing: run ./build.sh --target=Publish (./build.sh --target=Test runs it first)");
        }
    }
}
