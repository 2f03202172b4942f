using Chat.LoadTests.Runner;
using Chat.UnitTests.LoadTests;

namespace Chat.UnitTests.Tls;

/// <summary>The load runner's --tls: both servers started with a throwaway certificate, the lean client over TLS.</summary>
public sealed class LoadRunnerTlsTests
{
    [Theory]
    [InlineData("ours")]
    [InlineData("kestrel")]
    public async Task Fanout_over_tls_delivers_every_message_once_in_order(string target)
    {
        var report = await ScenarioSmokeTests.RunAsync(new RunOptions
        {
            Scenario = "fanout", Target = target == "ours" ? TargetKind.Ours : TargetKind.Kestrel, Tls = true, Clients = 6, Senders = 2, Rate = 20,
            Duration = TimeSpan.FromSeconds(2), Ramp = TimeSpan.FromSeconds(0.5), Warmup = TimeSpan.FromSeconds(0.5),
        });

        Assert.Equal(target + "+tls", report.Target);
        Assert.True(ScenarioSmokeTests.Figure(report, "messages sent") >= 20);
        Assert.Equal(ScenarioSmokeTests.Figure(report, "messages sent") * 6, ScenarioSmokeTests.Figure(report, "messages delivered"));
    }

    [Fact]
    public void Tls_flag_and_https_url_turn_tls_on()
    {
        var flag = Assert.IsType<Command.Run>(CommandLine.Parse(["run", "fanout", "--tls", "--target", "kestrel"]));
        Assert.True(flag.Options.Tls);
        Assert.Equal("kestrel+tls", flag.Options.TargetLabel);
        var url = Assert.IsType<Command.Run>(CommandLine.Parse(["run", "fanout", "--url", "https://127.0.0.1:8443"]));
        Assert.True(url.Options.Tls);
        var plain = Assert.IsType<Command.Run>(CommandLine.Parse(["run", "fanout", "--url", "http://127.0.0.1:8080"]));
        Assert.False(plain.Options.Tls);
    }
}
