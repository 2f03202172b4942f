using Chat.Server;

namespace Chat.UnitTests.Server;

/// <summary>The store selection of <see cref="ServerConfiguration"/> (CHAT_STORE), and the pipeline limits it reads.</summary>
public sealed class ServerConfigurationTests
{
    [Fact]
    public void Chat_max_pending_messages_sets_the_per_connection_limit_and_defaults_to_64()
    {
        Assert.Equal(64, Load(new()).Pipeline.MaxPendingMessagesPerConnection);
        Assert.Equal(4096, Load(new() { ["CHAT_MAX_PENDING_MESSAGES"] = "4096" }).Pipeline.MaxPendingMessagesPerConnection);
        Assert.Equal(512, ServerConfiguration.Load(new Dictionary<string, string?>(), ["--max-pending-messages", "512"]).Pipeline.MaxPendingMessagesPerConnection);
    }

    [Fact]
    public void A_chat_max_pending_messages_below_two_is_a_configuration_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(new() { ["CHAT_MAX_PENDING_MESSAGES"] = "1" }));

        Assert.Contains("MaxPendingMessagesPerConnection must be at least 2", error.Message);
    }

    [Fact]
    public void Chat_log_level_is_a_setting_read_from_the_environment_or_the_command_line_and_checked()
    {
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, Load(new()).LogLevel);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, Load(new() { ["CHAT_LOG_LEVEL"] = "Warning" }).LogLevel);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, ServerConfiguration.Load(new Dictionary<string, string?>(), ["--log-level", "debug"]).LogLevel);
        foreach (var bad in new[] { "loud", "7", "warning,error" })
        {
            var error = Assert.Throws<ConfigurationException>(() => Load(new() { ["CHAT_LOG_LEVEL"] = bad }));
            Assert.Equal($"CHAT_LOG_LEVEL must be trace, debug, information, warning, error, critical or none, got '{bad}'", error.Message);
        }
    }

    [Fact]
    public void Without_chat_store_the_store_is_chosen_as_before()
    {
        var configuration = Load(new() { ["CHAT_POSTGRES"] = "Host=127.0.0.1;Database=chat" });

        Assert.Equal(StoreKind.Auto, configuration.StoreKind);
        Assert.Equal("Host=127.0.0.1;Database=chat", configuration.Postgres);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData(" Memory ")]
    public void Chat_store_memory_selects_the_memory_store(string value)
    {
        Assert.Equal(StoreKind.Memory, Load(new() { ["CHAT_STORE"] = value }).StoreKind);
    }

    [Fact]
    public void The_store_option_on_the_command_line_wins_over_the_environment()
    {
        var configuration = ServerConfiguration.Load(new Dictionary<string, string?> { ["CHAT_STORE"] = "auto" }, ["--store", "memory"]);

        Assert.Equal(StoreKind.Memory, configuration.StoreKind);
    }

    [Fact]
    public void An_unknown_chat_store_is_a_configuration_error_naming_the_values()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(new() { ["CHAT_STORE"] = "redis" }));

        Assert.Equal("CHAT_STORE must be auto or memory, got 'redis'", error.Message);
    }

    [Fact]
    public void Chat_store_memory_together_with_chat_postgres_is_a_configuration_error()
    {
        var error = Assert.Throws<ConfigurationException>(
            () => Load(new() { ["CHAT_STORE"] = "memory", ["CHAT_POSTGRES"] = "Host=127.0.0.1" }));

        Assert.Contains("CHAT_STORE=memory cannot be combined with CHAT_POSTGRES", error.Message);
    }

    [Fact]
    public void Chat_store_is_listed_for_help_as_benchmark_only()
    {
        var (_, meaning) = Assert.Single(ServerConfiguration.Variables, v => v.Name == "CHAT_STORE");

        Assert.Contains("benchmark only: not durable, lost on exit", meaning);
    }

    private static ServerConfiguration Load(Dictionary<string, string?> environment) => ServerConfiguration.Load(environment, []);
}
