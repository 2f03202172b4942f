using Chat.LoadTests.Reports;
using Chat.LoadTests.Runner;

namespace Chat.UnitTests.LoadTests;

/// <summary>
/// The soak for about 30 s against our server started as a process, with a small cap so that every cycle reaches it:
/// every message delivered once, every flood answered as the contract says, and no resource still growing.
/// </summary>
public sealed class SoakScenarioTests
{
    [Fact]
    public async Task Soak_for_30_seconds_loses_nothing_meets_every_flood_and_leaks_nothing()
    {
        var options = new RunOptions
        {
            Scenario = "soak", Duration = TimeSpan.FromSeconds(30), Clients = 8, Senders = 2, Rate = 20, Slow = 2, FloodConnections = 300,
            Ramp = TimeSpan.FromSeconds(0.5), Live = false,
            Settings = new Dictionary<string, string> { ["CHAT_MAX_CONNECTIONS"] = "150", ["CHAT_HEAD_TIMEOUT_SECONDS"] = "1" },
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(300));

        var report = await ScenarioRunner.RunAsync(options, new LiveProgress(false), timeout.Token);

        Assert.True(report.Passed, string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}")));
        Assert.True(ScenarioSmokeTests.Figure(report, "cycles") >= 4, "cycles to judge growth on");
        Assert.True(ScenarioSmokeTests.Figure(report, "flood: refused with 503") > 0);
        Assert.Equal(ScenarioSmokeTests.Figure(report, "half-open opened"), ScenarioSmokeTests.Figure(report, "half-open closed by the server"));
        Assert.True(ScenarioSmokeTests.Figure(report, "oversized frames closed with 1009") > 0);
        Assert.True(ScenarioSmokeTests.Figure(report, "churn: sessions") > 2);
        Assert.Equal(ScenarioSmokeTests.Figure(report, "messages sent") * 8, ScenarioSmokeTests.Figure(report, "messages delivered"));
        foreach (var resource in new[] { "server RSS", "server GC heap", "server open descriptors", "server threads" })
        {
            Assert.Contains(report.Checks, c => c.Name == $"{resource} does not grow after warm-up");
            Assert.True(ScenarioSmokeTests.Figure(report, $"{resource} at end") > 0, resource);
        }

        Assert.True(report.Resources.Count >= 25, $"{report.Resources.Count} samples in a 30 s run");
        Assert.Contains(RunCharts.For(report), c => c.FileName == "memory.svg");
    }

    [Fact]
    public void Soak_takes_flood_connections_and_refuses_more_than_the_runner_can_open()
    {
        var options = Assert.IsType<Command.Run>(CommandLine.Parse(["run", "soak", "--flood-connections", "500", "--env", "CHAT_MAX_CONNECTIONS=400"])).Options;

        Assert.Equal(500, options.FloodConnections);
        Assert.Equal("400", options.Settings["CHAT_MAX_CONNECTIONS"]);
        Assert.Contains("--flood-connections", Assert.Throws<UsageException>(() => CommandLine.Parse(["run", "soak", "--flood-connections", "20000"])).Message, StringComparison.Ordinal);
        Assert.Contains("soak", CommandLine.Usage, StringComparison.Ordinal);
    }
}
