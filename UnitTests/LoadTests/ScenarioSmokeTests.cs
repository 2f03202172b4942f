using System.Net;
using System.Net.Sockets;
using Chat.LoadTests.Reports;
using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;

namespace Chat.UnitTests.LoadTests;

/// <summary>
/// Each scenario for a few seconds with a few clients against our server started as a process, as the runner does
/// it: the scenario's own checks (no loss, no duplicate, no gap after reconnect, …) must pass and its figures exist.
/// </summary>
public sealed class ScenarioSmokeTests
{
    internal static async Task<RunReport> RunAsync(RunOptions options)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var report = await ScenarioRunner.RunAsync(options with { Live = false }, new LiveProgress(false), timeout.Token);
        var failed = report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}");
        Assert.True(report.Passed, string.Join("; ", failed));
        return report;
    }

    internal static double Figure(RunReport report, string name) =>
        report.FigureValue(name) ?? throw new Xunit.Sdk.XunitException($"no figure '{name}' in {string.Join(", ", report.Figures.Select(f => f.Name))}");

    [Fact]
    public async Task Fanout_delivers_every_message_to_every_client_once_in_order()
    {
        var report = await RunAsync(new RunOptions
        {
            Scenario = "fanout", Clients = 8, Senders = 2, Rate = 20, Duration = TimeSpan.FromSeconds(2), Ramp = TimeSpan.FromSeconds(0.5),
            Warmup = TimeSpan.FromSeconds(0.5),
        });

        Assert.True(Figure(report, "messages sent") >= 20);
        Assert.Equal(Figure(report, "messages sent") * 8, Figure(report, "messages delivered"));
        Assert.True(Figure(report, "server CPU per delivered msg") > 0);
        Assert.True(Figure(report, "server write/writev calls per delivered msg") > 0);
        Assert.Contains(report.Intervals, r => r.Step.Step == "deliver" && r.Step.Latency.Count > 0);
        Assert.Contains(report.Intervals, r => r.Step.Step == "warm-up deliver" && r.Step.Latency.Count > 0);
    }

    [Fact]
    public async Task Connections_from_several_source_addresses_are_held_and_their_memory_reported()
    {
        var report = await RunAsync(new RunOptions
        {
            Scenario = "connections", Clients = 150, SourceAddresses = 3, Duration = TimeSpan.FromSeconds(1), Rate = 150,
        });

        Assert.Equal(150, Figure(report, "connections held"));
        Assert.Equal(150, Figure(report, "one broadcast: receivers reached"));
        Assert.True(Figure(report, "server RSS with connections") > 0);
        Assert.Contains(report.Parameters, p => p is { Key: "source addresses", Value: "127.0.0.2..127.0.0.4" });
    }

    [Fact]
    public async Task Churn_catches_up_after_every_reconnect_without_gap_or_duplicate()
    {
        var report = await RunAsync(new RunOptions { Scenario = "churn", Clients = 4, Duration = TimeSpan.FromSeconds(3) });

        Assert.True(Figure(report, "sessions") > 4, "clients reconnected");
        Assert.Contains(report.Checks, c => c.Name == "no gap after reconnect");
    }

    [Fact]
    public async Task Slow_consumers_leave_the_reading_clients_without_loss()
    {
        var report = await RunAsync(new RunOptions
        {
            Scenario = "slow-consumer", Clients = 6, Senders = 2, Slow = 2, Rate = 50, MessageSize = 1024, Duration = TimeSpan.FromSeconds(2),
            Ramp = TimeSpan.FromSeconds(0.5),
        });

        Assert.Equal(2, Figure(report, "slow clients opened"));
        Assert.Contains(report.Figures, f => f.Name == "slow consumers dropped (server /metrics)");
        Assert.True(Figure(report, "readers' throughput with slow / without") > 0);
    }

    [Fact]
    public async Task An_unreachable_url_is_a_clear_target_error()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var options = new RunOptions { Scenario = "fanout", Target = TargetKind.Url, Urls = [new Uri($"http://127.0.0.1:{port}/")], Live = false };
        var error = await Assert.ThrowsAsync<TargetUnavailableException>(() => ScenarioRunner.RunAsync(options, new LiveProgress(false), CancellationToken.None));

        Assert.StartsWith($"cannot reach http://127.0.0.1:{port}/", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_remote_url_is_refused_without_allow_remote()
    {
        var options = new RunOptions { Scenario = "fanout", Target = TargetKind.Url, Urls = [new Uri("http://10.255.255.1:8080/")], Live = false };
        var error = await Assert.ThrowsAsync<TargetUnavailableException>(() => ScenarioRunner.RunAsync(options, new LiveProgress(false), CancellationToken.None));

        Assert.Contains("not a loopback address; add --allow-remote", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fanout_against_a_running_server_by_url_passes_its_checks()
    {
        await using var server = await Chat.UnitTests.EndToEnd.TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_MAX_MESSAGES_PER_SECOND"] = "0" });
        var report = await RunAsync(new RunOptions
        {
            Scenario = "fanout", Target = TargetKind.Url, Urls = [server.HttpUri], Clients = 4, Senders = 1, Rate = 20,
            Duration = TimeSpan.FromSeconds(1), Ramp = TimeSpan.FromSeconds(0.2),
        });

        Assert.Equal(Figure(report, "messages sent") * 4, Figure(report, "messages delivered"));
        Assert.Null(report.FigureValue("server CPU per delivered msg"));
    }
}
