using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Faults;

/// <summary>The Origin allow-list of the handshake (CHAT_ALLOWED_ORIGINS): 403 when configured and not matched.</summary>
public sealed class OriginTests
{
    private const string Allowed = "https://chat.example, http://127.0.0.1:8080";

    [Theory]
    [InlineData("https://chat.example", 101)]
    [InlineData("HTTPS://CHAT.EXAMPLE", 101)]
    [InlineData("http://127.0.0.1:8080", 101)]
    [InlineData("https://evil.example", 403)]
    [InlineData("https://chat.example.evil.example", 403)]
    [InlineData("http://chat.example", 403)]
    [InlineData("null", 403)]
    [InlineData(null, 403)]
    public async Task With_an_allow_list_only_a_listed_origin_may_open_a_websocket(string? origin, int status)
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string> { ["CHAT_ALLOWED_ORIGINS"] = Allowed });
        await using var connection = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(status, await connection.UpgradeAsync(extraHeaders: origin is null ? "" : $"Origin: {origin}\r\n"));
        if (status == 403) Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)), "a refused handshake closes the connection");
    }

    [Fact]
    public async Task Without_an_allow_list_any_origin_may_open_a_websocket()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(101, await connection.UpgradeAsync(extraHeaders: "Origin: https://anywhere.example\r\n"));
    }
}
