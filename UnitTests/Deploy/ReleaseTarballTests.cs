using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Deploy;

/// <summary>
/// The release tarball of <c>./build.sh --target=Publish</c> (issue 15): unpacked into an empty directory, it runs with
/// nothing but the documented variables (it carries its own .NET runtime), serves the page and chats, keeps its
/// history in CHAT_DATA_DIR across a restart, and says its version.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ReleaseTarballTests : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(30);
    private readonly string _scratch = Directory.CreateTempSubdirectory("chat-release-").FullName;

    private string Unpack()
    {
        var into = Path.Combine(_scratch, "unpacked");
        Directory.CreateDirectory(into);
        using var tar = Process.Start(new ProcessStartInfo("tar", ["-xzf", RepositoryPaths.Tarball, "-C", into]) { UseShellExecute = false })!;
        Assert.True(tar.WaitForExit(ProcessTimeout), "tar finished");
        Assert.Equal(0, tar.ExitCode);
        Assert.Equal([RepositoryPaths.ReleaseName], Directory.GetFileSystemEntries(into).Select(Path.GetFileName));
        return Path.Combine(into, RepositoryPaths.ReleaseName);
    }

    [Fact]
    public void The_tarball_holds_the_start_script_the_server_the_page_the_docs_and_deploy()
    {
        var release = Unpack();

        Assert.True(File.GetUnixFileMode(Path.Combine(release, "chat-server")).HasFlag(UnixFileMode.UserExecute), "chat-server is executable");
        foreach (var file in new[] { "lib/ChatServer", "lib/ChatServer.dll", "wwwroot/index.html", "README.md", "docs/protocol.md", "docs/operations.md",
                     "deploy/README.md", "deploy/chat-server.service", "deploy/nginx.conf" })
        {
            Assert.True(File.Exists(Path.Combine(release, file)), $"{file} is in the release");
        }
        Assert.False(File.Exists(Path.Combine(release, "lib", "wwwroot", "index.html")), "the page lives beside lib/, once");
    }

    [Fact]
    public async Task Version_prints_the_version_of_Directory_Build_props_which_names_the_tarball()
    {
        var release = Unpack();
        using var process = Process.Start(ReleaseProcess.StartInfo(Path.Combine(release, "chat-server"), _scratch, new Dictionary<string, string>(), "--version"))!;
        var output = await process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(ProcessTimeout), "--version returned");

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(RepositoryPaths.Version, output.Trim());
        var built = typeof(Chat.Server.ServerConfiguration).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.StartsWith(RepositoryPaths.Version, built, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unpacked_into_an_empty_directory_it_serves_the_page_chats_and_keeps_its_history_across_a_restart()
    {
        var release = Unpack();
        var script = Path.Combine(release, "chat-server");
        var workingDirectory = Directory.CreateDirectory(Path.Combine(_scratch, "cwd")).FullName;
        var data = Path.Combine(_scratch, "data");
        var settings = new Dictionary<string, string> { ["CHAT_LISTEN"] = "127.0.0.1:0", ["CHAT_DATA_DIR"] = data };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await using (var server = await ReleaseProcess.StartAsync(script, workingDirectory, settings))
        {
            using (var page = await http.GetAsync(server.HttpUri("/")))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
                Assert.Contains("<script", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            await using var alice = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=alice"));
            await using var bob = await RawClient.OpenWebSocketAsync(server.WebSocketUri("name=bob"));
            await alice.SendChatAsync("hello from the release");
            await bob.SendChatAsync("and back");
            foreach (var client in new[] { alice, bob })
            {
                var seen = await client.ReceiveChatsAsync(2, TimeSpan.FromSeconds(15));
                Assert.Equal(["and back", "hello from the release"], seen.Select(f => f.Comment).Order(StringComparer.Ordinal));
            }
            Assert.Equal(0, await server.TerminateAsync(ProcessTimeout));
        }
        Assert.True(File.Exists(Path.Combine(data, "chat.db")), "the embedded store is in CHAT_DATA_DIR");
        Assert.Empty(Directory.GetFileSystemEntries(workingDirectory));

        await using (var again = await ReleaseProcess.StartAsync(script, workingDirectory, settings))
        {
            using var history = JsonDocument.Parse(await http.GetStringAsync(again.HttpUri("/chat-history")));
            Assert.Equal(["and back", "hello from the release"],
                history.RootElement.EnumerateArray().Select(m => m.GetProperty("comment").GetString()).Order(StringComparer.Ordinal));
            Assert.Equal(0, await again.TerminateAsync(ProcessTimeout));
        }
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
