using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;

namespace Chat.UnitTests.LoadTests;

/// <summary>
/// The two baselines of issue 17 started by the runner as the bench starts them (the lean Kestrel chat, and the Bun
/// chat under Bun, installed from the npm registry on first use): a short fan-out must pass every check of the
/// scenario, so each speaks the wire contract well enough for the comparison to mean something.
/// </summary>
public sealed class BaselineTargetSmokeTests
{
    private static RunOptions Fanout(TargetKind target) => new()
    {
        Scenario = "fanout", Target = target, Clients = 8, Senders = 2, Rate = 20, Duration = TimeSpan.FromSeconds(2),
        Ramp = TimeSpan.FromSeconds(0.5), Warmup = TimeSpan.FromSeconds(0.5),
    };

    private static void AssertEveryDelivery(Chat.LoadTests.Reports.RunReport report, string target)
    {
        Assert.Equal(target, report.Target);
        Assert.True(ScenarioSmokeTests.Figure(report, "messages sent") >= 20);
        Assert.Equal(ScenarioSmokeTests.Figure(report, "messages sent") * 8, ScenarioSmokeTests.Figure(report, "messages delivered"));
        // Present, not positive: Bun serves these 160 deliveries in less than one clock tick of /proc's CPU time.
        Assert.True(ScenarioSmokeTests.Figure(report, "server CPU per delivered msg") >= 0);
    }

    [Fact]
    public async Task Lean_kestrel_chat_delivers_every_message_to_every_client_once_in_order()
    {
        AssertEveryDelivery(await ScenarioSmokeTests.RunAsync(Fanout(TargetKind.KestrelLean)), "kestrel-lean");
    }

    [Fact]
    public async Task Bun_chat_delivers_every_message_to_every_client_once_in_order()
    {
        AssertEveryDelivery(await ScenarioSmokeTests.RunAsync(Fanout(TargetKind.Bun)), "bun");
        Assert.True(File.Exists(Path.Combine(BunRuntime.CacheDirectory, "node_modules", "bun", "bin", "bun.exe")));
    }

    [Fact]
    public async Task Baselines_without_a_store_refuse_a_postgres_scenario_before_starting()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<TargetUnavailableException>(() =>
            TargetLauncher.LaunchAsync(Fanout(TargetKind.KestrelLean) with { Scenario = "cross-node" }, new ScenarioNeeds(Nodes: 2), timeout.Token));
        Assert.Contains("kestrel-lean keeps messages in one process's memory", error.Message, StringComparison.Ordinal);
    }
}
