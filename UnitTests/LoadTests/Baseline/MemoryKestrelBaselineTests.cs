using System.Net.WebSockets;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.LoadTests.Baseline;

/// <summary>The baseline with its store switched off (CHAT_POSTGRES unset), and its start-up contract.</summary>
public sealed class MemoryKestrelBaselineTests : KestrelBaselineTests
{
    private protected override Task<Dictionary<string, string>> NewStoreSettingsAsync() => Task.FromResult(new Dictionary<string, string>());

    [Fact]
    public async Task A_message_over_64_KiB_closes_with_1009()
    {
        await using var server = await StartAsync();
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());

        await client.SendTextAsync(new string('x', 64 * 1024 + 1));

        await Assert.ThrowsAsync<WebSocketException>(() => client.ReceiveAsync());
        Assert.Equal((int)WebSocketCloseStatus.MessageTooBig, client.CloseCode);
    }

    [Fact]
    public async Task A_binary_message_closes_with_1003()
    {
        await using var server = await StartAsync();
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());

        await client.SendFrameAsync(Opcode.Binary, [1, 2, 3]);

        await Assert.ThrowsAsync<WebSocketException>(() => client.ReceiveAsync());
        Assert.Equal((int)WebSocketCloseStatus.InvalidMessageType, client.CloseCode);
    }

    [Fact]
    public async Task A_taken_port_exits_non_zero_with_one_line_naming_the_address()
    {
        await using var first = await StartAsync();

        var (exitCode, output) = await BaselineProcess.RunToExitAsync(new Dictionary<string, string> { ["CHAT_LISTEN"] = first.EndPoint.ToString() });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: cannot start on {first.EndPoint}", line);
        Assert.Contains("address already in use", line);
    }

    [Fact]
    public async Task An_unreachable_database_exits_non_zero_naming_it()
    {
        var (exitCode, output) = await BaselineProcess.RunToExitAsync(
            new Dictionary<string, string> { ["CHAT_POSTGRES"] = "Host=127.0.0.1;Port=1;Database=nowhere;Timeout=5" });

        Assert.Equal(1, exitCode);
        Assert.Contains("PostgreSQL 127.0.0.1:1/nowhere", output);
    }

    [Fact]
    public async Task A_malformed_listen_setting_exits_with_2_naming_the_variable()
    {
        var (exitCode, output) = await BaselineProcess.RunToExitAsync(new Dictionary<string, string> { ["CHAT_LISTEN"] = "nowhere" });

        Assert.Equal(2, exitCode);
        Assert.Equal("error: CHAT_LISTEN must be ADDRESS:PORT (for example 127.0.0.1:8080), got 'nowhere'", output.Trim());
    }
}
