using Chat.Storage;
using Xunit;

namespace Chat.UnitTests.Storage;

public sealed class StoredTimeTests
{
    [Fact]
    public void Normalize_truncates_to_the_millisecond_and_keeps_utc()
    {
        var precise = new DateTime(2026, 11, 28, 6, 0, 0, 123, DateTimeKind.Utc).AddTicks(9_999);

        var stored = StoredTime.Normalize(precise);

        Assert.Equal(new DateTime(2026, 11, 28, 6, 0, 0, 123, DateTimeKind.Utc), stored);
        Assert.Equal(DateTimeKind.Utc, stored.Kind);
    }

    [Fact]
    public void Normalize_takes_unspecified_as_utc_and_converts_local()
    {
        var utc = new DateTime(2026, 1, 2, 3, 4, 5, 6, DateTimeKind.Utc);

        Assert.Equal(utc, StoredTime.Normalize(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified)));
        Assert.Equal(utc, StoredTime.Normalize(utc.ToLocalTime()));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1_795_845_600_123L)]
    [InlineData(-86_400_000L)]
    public void Unix_milliseconds_round_trip(long milliseconds)
    {
        var time = StoredTime.FromUnixMilliseconds(milliseconds);

        Assert.Equal(DateTimeKind.Utc, time.Kind);
        Assert.Equal(milliseconds, StoredTime.ToUnixMilliseconds(time));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime, time);
    }
}
