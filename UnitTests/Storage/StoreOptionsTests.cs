using Chat.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chat.UnitTests.Storage;

public sealed class StoreOptionsTests
{
    [Fact]
    public void Defaults_are_retention_off_a_one_minute_interval_and_a_thirty_second_timeout()
    {
        var options = new StoreOptions();

        Assert.Equal(0, options.RetentionDays);
        Assert.Equal(0, options.RetentionMaxRows);
        Assert.Equal(TimeSpan.FromMinutes(1), options.RetentionInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CommandTimeout);
        options.Validate();
    }

    [Theory]
    [InlineData(-1, 0, 60_000, 30_000, "RetentionDays")]
    [InlineData(0, -1, 60_000, 30_000, "RetentionMaxRows")]
    [InlineData(0, 0, 0, 30_000, "RetentionInterval")]
    [InlineData(0, 0, -5, 30_000, "RetentionInterval")]
    [InlineData(0, 0, 60_000, 0, "CommandTimeout")]
    [InlineData(0, 0, 60_000, 500, "CommandTimeout")]
    [InlineData(0, 0, 60_000, 1_500, "CommandTimeout")]
    public void Validate_names_the_bad_option(int days, long rows, int intervalMs, int timeoutMs, string named)
    {
        var options = new StoreOptions
        {
            RetentionDays = days,
            RetentionMaxRows = rows,
            RetentionInterval = TimeSpan.FromMilliseconds(intervalMs),
            CommandTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith(named + " must", error.Message);
    }

    [Fact]
    public void Validate_accepts_retention_by_days_and_rows_together()
    {
        new StoreOptions { RetentionDays = 30, RetentionMaxRows = 1_000_000, RetentionInterval = TimeSpan.FromSeconds(5) }.Validate();
    }

    [Fact]
    public void Both_stores_validate_their_options_when_constructed()
    {
        var bad = new StoreOptions { RetentionDays = -1 };

        Assert.Throws<ArgumentException>(() => new SqliteMessageStore("unused", bad, NullLogger<SqliteMessageStore>.Instance));
        Assert.Throws<ArgumentException>(
            () => new PostgresMessageStore("Host=127.0.0.1;Database=unused", bad, NullLogger<PostgresMessageStore>.Instance));
    }
}
