using Chat.Reactor;

namespace Chat.UnitTests.Reactor;

public sealed class AcceptBackoffTests
{
    [Fact]
    public void Failures_pause_10_ms_doubling_up_to_1_s()
    {
        var backoff = new AcceptBackoff();
        var delays = Enumerable.Range(0, 10).Select(_ => backoff.Failed().TotalMilliseconds).ToArray();
        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000], delays);
    }

    [Fact]
    public void A_success_starts_over_at_10_ms()
    {
        var backoff = new AcceptBackoff();
        for (var i = 0; i < 5; i++) backoff.Failed();
        backoff.Succeeded();
        Assert.Equal(TimeSpan.FromMilliseconds(10), backoff.Failed());
        Assert.Equal(TimeSpan.FromMilliseconds(20), backoff.Failed());
    }
}
