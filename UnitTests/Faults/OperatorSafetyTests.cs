using System.Diagnostics;
using Chat.Server;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Issue 19 item 7, operator safety: a misspelled or unknown CHAT_* variable is named at start (a refusal under
/// --strict), the PostgreSQL connection string can come from a file, and --help says to keep passwords out of argv.
/// </summary>
public sealed class OperatorSafetyTests
{
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_misspelled_variable_is_named_with_the_nearest_known_one()
    {
        var configuration = ServerConfiguration.Load(new Dictionary<string, string?>
        {
            ["CHAT_LISTEN"] = "127.0.0.1:0",
            ["CHAT_MAX_PENDING_MESAGES"] = "8",
            ["CHAT_WIBBLE"] = "1",
            ["PATH"] = "/usr/bin",
        }, []);

        Assert.Equal(
            ["unknown setting CHAT_MAX_PENDING_MESAGES is ignored; did you mean CHAT_MAX_PENDING_MESSAGES?", "unknown setting CHAT_WIBBLE is ignored (see --help)"],
            configuration.Warnings);
        Assert.Equal(64, configuration.Pipeline.MaxPendingMessagesPerConnection);
    }

    [Fact]
    public void Variables_of_the_harnesses_do_not_warn()
    {
        var environment = new[] { "CHAT_TEST_REACTOR", "CHAT_FUZZ_SECONDS", "CHAT_HISTORY_SIZE" }
            .ToDictionary(name => name, _ => (string?)"x");

        Assert.Empty(ServerConfiguration.Load(environment, []).Warnings);
    }

    [Fact]
    public void Strict_refuses_to_start_with_an_unknown_variable()
    {
        var error = Assert.Throws<ConfigurationException>(() => ServerConfiguration.Load(new Dictionary<string, string?> { ["CHAT_TLS_CRT"] = "/tmp/cert.pem" }, ["--strict"]));

        Assert.Contains("CHAT_TLS_CRT", error.Message);
        Assert.Contains("did you mean CHAT_TLS_CERT?", error.Message);
        Assert.Empty(ServerConfiguration.Load(new Dictionary<string, string?> { ["CHAT_LISTEN"] = "127.0.0.1:0" }, ["--strict"]).Warnings);
    }

    [Fact]
    public void The_connection_string_can_come_from_a_file_and_not_from_both()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "Host=127.0.0.1;Database=chat;Password=secret\n");
            Assert.Equal("Host=127.0.0.1;Database=chat;Password=secret", ServerConfiguration.Load(new Dictionary<string, string?> { ["CHAT_POSTGRES_FILE"] = file }, []).Postgres);
            var both = Assert.Throws<ConfigurationException>(() => ServerConfiguration.Load(new Dictionary<string, string?> { ["CHAT_POSTGRES_FILE"] = file, ["CHAT_POSTGRES"] = "Host=x" }, []));
            Assert.Contains("not both", both.Message);
            var missing = Assert.Throws<ConfigurationException>(() => ServerConfiguration.Load(new Dictionary<string, string?> { ["CHAT_POSTGRES_FILE"] = file + ".missing" }, []));
            Assert.Contains("cannot read CHAT_POSTGRES_FILE", missing.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_server_process_warns_at_start_and_strict_exits_with_2()
    {
        await using (var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["CHAT_DATA_DIR"] = Directory.CreateTempSubdirectory("chat-ops-").FullName, ["CHAT_IDLE_TIMEOUT_SECOND"] = "5" }))
        {
            // Standard error is its own pipe: the warning may be read after the listening line.
            const string warning = "warning: unknown setting CHAT_IDLE_TIMEOUT_SECOND is ignored; did you mean CHAT_IDLE_TIMEOUT_SECONDS?";
            Assert.True(await ChatLoad.EventuallyAsync(() => server.Output.Contains(warning, StringComparison.Ordinal), TimeSpan.FromSeconds(10)), server.Output);
        }
        var (code, output) = await RunAsync(["--strict"], new Dictionary<string, string> { ["CHAT_IDLE_TIMEOUT_SECOND"] = "5" });
        Assert.Equal(2, code);
        Assert.Contains("CHAT_IDLE_TIMEOUT_SECOND", output);
    }

    [Fact]
    public async Task Help_says_to_keep_passwords_out_of_argv()
    {
        var (code, output) = await RunAsync(["--help"], null);

        Assert.Equal(0, code);
        Assert.Contains("Do not put a password in --postgres", output);
        Assert.Contains("CHAT_POSTGRES_FILE", output);
        Assert.Contains("PGPASSFILE", output);
        Assert.Contains("--strict", output);
    }

    private static async Task<(int Code, string Output)> RunAsync(string[] args, IReadOnlyDictionary<string, string>? settings)
    {
        var start = ServerProcess.StartInfo(Path.Combine(AppContext.BaseDirectory, "ChatServer.dll"), settings);
        start.Arguments += " " + string.Join(' ', args);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Exit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
