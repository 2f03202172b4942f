namespace Chat.UnitTests.Conformance;

/// <summary>With CHAT_PERMESSAGE_DEFLATE off (the default) an offer is declined and RSV1 stays a protocol error.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class DeflateOffTests(ConformanceServers servers)
{
    [Fact]
    public Task Offer_is_declined_when_the_setting_is_off() => servers.RunAsync(async server =>
    {
        var (client, response) = await RawClient.UpgradeAsync(server.EndPoint, RawClient.DeflateOffer);
        await using var _ = client;
        Assert.Equal(101, response.Status);
        Assert.False(response.Has("Sec-WebSocket-Extensions"));
        await client.SendChatAsync("plain");
        await client.ExpectChatAsync("plain");
        await client.SendCompressedChatAsync("compressed");
        await client.ExpectCloseAsync(1002);
    });
}
