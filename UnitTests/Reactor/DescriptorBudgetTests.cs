using System.Diagnostics;
using Chat.Reactor;

namespace Chat.UnitTests.Reactor;

public sealed class DescriptorBudgetTests
{
    [Theory]
    [InlineData(1024, 256 + 64, 1024 - 320)]
    [InlineData(1000, 256 + 62, 1000 - 318)]
    [InlineData(65536, 256 + 4096, 65536 - 4352)]
    [InlineData(1_048_576, 256 + 65536, 1_048_576 - 65792)]
    public void The_cap_is_the_limit_less_a_fixed_reserve_and_a_sixteenth(long limit, long reserve, int cap)
    {
        var budget = DescriptorBudget.ForLimit(limit);
        Assert.Equal(limit, budget.Limit);
        Assert.Equal(reserve, budget.Reserve);
        Assert.Equal(cap, budget.ConnectionCap);
    }

    [Fact]
    public void A_limit_below_the_reserve_still_lets_one_connection_in()
    {
        Assert.Equal(1, DescriptorBudget.ForLimit(100).ConnectionCap);
    }

    [Fact]
    public void An_unknown_limit_means_no_cap()
    {
        Assert.Equal(0, DescriptorBudget.ForLimit(0).ConnectionCap);
    }

    [Fact]
    public async Task Raise_lifts_the_soft_limit_to_the_hard_one()
    {
        var hard = HardLimit();
        // One below the hard limit: enough to see the raise, too little to starve the tests running beside this one.
        await PrlimitAsync($"--pid {Environment.ProcessId} --nofile={hard - 1}:{hard}");
        Assert.Equal(hard - 1, DescriptorBudget.Read().Limit);

        var budget = DescriptorBudget.Raise();

        Assert.Equal(hard, budget.Limit);
        Assert.Equal(hard, DescriptorBudget.Read().Limit);
    }

    private static long HardLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
            var fields = line[14..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidDataException("no 'Max open files' line in /proc/self/limits");
    }

    private static async Task PrlimitAsync(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("prlimit", arguments) { RedirectStandardError = true })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"prlimit {arguments}: {await process.StandardError.ReadToEndAsync()}");
    }
}
