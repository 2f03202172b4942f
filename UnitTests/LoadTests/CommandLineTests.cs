using Chat.LoadTests.Runner;

namespace Chat.UnitTests.LoadTests;

public sealed class CommandLineTests
{
    private static RunOptions Run(params string[] args) => Assert.IsType<Command.Run>(CommandLine.Parse(args)).Options;

    private static string Error(params string[] args) => Assert.Throws<UsageException>(() => CommandLine.Parse(args)).Message;

    [Fact]
    public void Run_reads_every_option_in_both_spellings()
    {
        var options = Run("run", "fanout", "--clients", "200", "--senders=20", "--rate", "150.5", "--size", "1024",
            "--duration", "12s", "--ramp", "3", "--warmup=1.5", "--window", "512", "--out", "/tmp/x", "--env", "CHAT_STORE=memory", "--no-live", "--target", "kestrel");

        Assert.Equal("fanout", options.Scenario);
        Assert.Equal(TargetKind.Kestrel, options.Target);
        Assert.Equal((200, 20, 150.5, 1024), (options.Clients, options.Senders, options.Rate, options.MessageSize));
        Assert.Equal(TimeSpan.FromSeconds(12), options.Duration);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Ramp);
        Assert.Equal(TimeSpan.FromSeconds(1.5), options.Warmup);
        Assert.Equal(512, options.Window);
        Assert.Equal("/tmp/x", options.Out);
        Assert.Equal("memory", options.Settings["CHAT_STORE"]);
        Assert.False(options.Live);
    }

    [Fact]
    public void The_lean_kestrel_and_bun_targets_are_named_as_in_the_reports()
    {
        Assert.Equal((TargetKind.KestrelLean, "kestrel-lean"), (Run("run", "fanout", "--target", "kestrel-lean").Target, Run("run", "fanout", "--target", "kestrel-lean").TargetLabel));
        Assert.Equal((TargetKind.Bun, "bun"), (Run("run", "fanout", "--target", "bun").Target, Run("run", "fanout", "--target", "bun").TargetLabel));
        Assert.Equal("--url and --target kestrel-lean contradict each other", Error("run", "fanout", "--target", "kestrel-lean", "--url", "http://127.0.0.1:1"));
    }

    [Fact]
    public void Defaults_are_ours_on_the_embedded_store_with_scenario_defaults_left_open()
    {
        var options = Run("run", "churn");

        Assert.Equal(TargetKind.Ours, options.Target);
        Assert.Equal(StoreKind.Embedded, options.Store);
        Assert.Null(options.Clients);
        Assert.True(options.Live);
    }

    [Fact]
    public void Url_implies_the_url_target_and_postgres_implies_the_postgres_store()
    {
        var options = Run("run", "cross-node", "--url", "http://127.0.0.1:9000", "--url", "ws://localhost:9001/x", "--postgres", "Host=127.0.0.1");

        Assert.Equal(TargetKind.Url, options.Target);
        Assert.Equal(["http://127.0.0.1:9000/", "http://localhost:9001/"], options.Urls.Select(u => u.ToString()));
        Assert.Equal(StoreKind.Postgres, options.Store);
    }

    [Fact]
    public void Server_names_another_build_of_ours_that_exists()
    {
        var dll = typeof(CommandLineTests).Assembly.Location;

        Assert.Equal(Path.GetFullPath(dll), Run("run", "fanout", "--server", dll).ServerDll);
        Assert.Null(Run("run", "fanout").ServerDll);
        Assert.Contains("--server: no file '/nonexistent/ChatServer.dll'", Error("run", "fanout", "--server", "/nonexistent/ChatServer.dll"), StringComparison.Ordinal);
        Assert.Contains("--server names a build of ours: it needs --target ours", Error("run", "fanout", "--target", "kestrel", "--server", dll), StringComparison.Ordinal);
    }

    [Fact]
    public void Help_anywhere_asks_for_help()
    {
        Assert.IsType<Command.Help>(CommandLine.Parse(["run", "fanout", "--help"]));
        Assert.IsType<Command.Help>(CommandLine.Parse(["-h"]));
    }

    [Fact]
    public void Bench_reads_out_and_duration()
    {
        var bench = Assert.IsType<Command.Bench>(CommandLine.Parse(["bench", "--out", "artifacts/b", "--duration", "5"])).Options;

        Assert.Equal("artifacts/b", bench.Out);
        Assert.Equal(TimeSpan.FromSeconds(5), bench.Duration);
    }

    [Theory]
    [InlineData("no command given")]
    [InlineData("unknown command 'go'", "go")]
    [InlineData("'run' needs a scenario", "run")]
    [InlineData("unknown scenario 'storm'", "run", "storm")]
    [InlineData("unknown option '--speed'", "run", "fanout", "--speed", "9")]
    [InlineData("option '--clients' needs a value", "run", "fanout", "--clients")]
    [InlineData("--clients must be a whole number from 1 to 100000, got 'many'", "run", "fanout", "--clients", "many")]
    [InlineData("--clients must be a whole number from 1 to 100000, got '0'", "run", "fanout", "--clients", "0")]
    [InlineData("--clients must be a whole number from 1 to 100000, got '1000001'", "run", "fanout", "--clients", "1000001")]
    [InlineData("--rate must be a number", "run", "fanout", "--rate", "-3")]
    [InlineData("--duration must be a number from 0.5 to 600", "run", "fanout", "--duration", "3600")]
    [InlineData("--target must be ours, kestrel, kestrel-lean, bun or url, got 'nginx'", "run", "fanout", "--target", "nginx")]
    [InlineData("--target url needs --url", "run", "fanout", "--target", "url")]
    [InlineData("--url must look like http://HOST:PORT", "run", "fanout", "--url", "localhost")]
    [InlineData("--url and --target ours contradict", "run", "fanout", "--target", "ours", "--url", "http://127.0.0.1:1")]
    [InlineData("--env needs KEY=VALUE", "run", "fanout", "--env", "CHAT_X")]
    [InlineData("--env takes CHAT_* settings", "run", "fanout", "--env", "PATH=/bin")]
    [InlineData("--store must be embedded or postgres", "run", "fanout", "--store", "redis")]
    [InlineData("--senders 5 is more than --clients 2", "run", "fanout", "--clients", "2", "--senders", "5")]
    [InlineData("unexpected argument 'extra'", "run", "fanout", "extra")]
    [InlineData("--window must be a whole number from 1 to 65536, got '0'", "run", "ingest", "--window", "0")]
    [InlineData("--warmup must be a number from 0 to 600", "run", "ingest", "--warmup", "-1")]
    [InlineData("unknown option '--clients' for bench", "bench", "--clients", "3")]
    public void Bad_arguments_get_a_message_saying_what_is_wrong(string expected, params string[] args)
    {
        Assert.Contains(expected, Error(args), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/", true)]
    [InlineData("http://127.9.9.9:8080/", true)]
    [InlineData("http://localhost:8080/", true)]
    [InlineData("http://[::1]:8080/", true)]
    [InlineData("http://10.0.0.5:8080/", false)]
    [InlineData("http://example.com:8080/", false)]
    public void Only_loopback_urls_count_as_loopback(string url, bool loopback)
    {
        Assert.Equal(loopback, CommandLine.IsLoopback(new Uri(url)));
    }
}
