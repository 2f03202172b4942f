using Chat.LoadTests.Runner;

namespace Chat.UnitTests.LoadTests;

public sealed class BenchSetTests
{
    [Theory]
    [InlineData("fanout-25k", 100, 5, 250)]
    [InlineData("fanout-150k", 300, 10, 500)]
    [InlineData("fanout-400k", 200, 20, 2000)]
    public void Each_offered_load_runs_on_ours_and_the_three_baselines_back_to_back(string load, int clients, int senders, double rate)
    {
        var set = BenchRunner.Set(new BenchOptions { Out = "unused" }).ToList();
        var runs = set.Where(r => r.Name.StartsWith(load + "-", StringComparison.Ordinal)).ToList();

        Assert.Equal([$"{load}-ours", $"{load}-kestrel", $"{load}-kestrel-lean", $"{load}-bun"], runs.Select(r => r.Name));
        Assert.Equal(set.FindIndex(r => r.Name == $"{load}-ours") + 3, set.FindIndex(r => r.Name == $"{load}-bun"));
        Assert.All(runs, r => Assert.Equal(("fanout", clients, senders, rate, 64), (r.Run.Scenario, r.Run.Clients, r.Run.Senders, r.Run.Rate, r.Run.MessageSize)));
        Assert.Equal("memory", runs[0].Run.Settings["CHAT_STORE"]);
        Assert.All(runs.Skip(1), r => Assert.False(r.Run.Settings.ContainsKey("CHAT_STORE")));
    }
}
