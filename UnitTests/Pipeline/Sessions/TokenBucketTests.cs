using System.Diagnostics;
using Chat.Pipeline.Sessions;

namespace Chat.UnitTests.Pipeline.Sessions;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_full_bucket_allows_the_burst_then_refuses()
    {
        var bucket = new TokenBucket();
        var now = 1_000_000L;
        Assert.All(Enumerable.Range(0, 10), _ => Assert.True(bucket.TryTake(now, 5, 10)));
        Assert.False(bucket.TryTake(now, 5, 10));
    }

    [Fact]
    public void Tokens_come_back_at_the_rate_and_never_above_the_burst()
    {
        var bucket = new TokenBucket();
        var now = 0L;
        for (var i = 0; i < 3; i++) bucket.TryTake(now, 2, 3);
        Assert.False(bucket.TryTake(now, 2, 3));

        now += Stopwatch.Frequency / 2;
        Assert.True(bucket.TryTake(now, 2, 3));
        Assert.False(bucket.TryTake(now, 2, 3));

        now += Stopwatch.Frequency * 100;
        Assert.Equal(3, Enumerable.Range(0, 5).Count(_ => bucket.TryTake(now, 2, 3)));
    }
}
