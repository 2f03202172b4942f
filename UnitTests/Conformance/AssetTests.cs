namespace Chat.UnitTests.Conformance;

/// <summary>Issue 16's "also seen": a /favicon.ico, and automatic names that do not start again at User1.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class AssetTests(ConformanceServers servers)
{
    [Fact]
    public Task Favicon_ico_is_served_as_an_icon() => servers.RunRawAsync(async client =>
    {
        var response = await client.RequestAsync(RawClient.Get("/favicon.ico"));
        Assert.Equal(200, response.Status);
        Assert.Equal("image/x-icon", response.Header("Content-Type"));
        Assert.Equal(new byte[] { 0, 0, 1, 0 }, response.Body[..4]);
        response.AssertWellFormed();
    });

    [Fact]
    public Task Automatic_names_do_not_start_at_user1() => servers.RunAsync(async server =>
    {
        await using var socket = await RawClient.OpenWebSocketAsync(server.EndPoint);
        await socket.SendChatAsync("who am I");
        var name = (await socket.ExpectChatAsync("who am I")).GetProperty("username").GetString()!;
        Assert.Matches(@"^User\d{8,}$", name);
    });
}
