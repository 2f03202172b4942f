namespace Chat.UnitTests.Conformance;

/// <summary>
/// RFC 7692 section 5 and 7.1: the server accepts the first permessage-deflate offer it can honour, always with
/// server_no_context_takeover and client_no_context_takeover, echoes server_max_window_bits, and declines (never
/// refuses the handshake over) an offer it cannot honour.
/// </summary>
[Collection(DeflateCollection.Name)]
public sealed class DeflateNegotiationTests(DeflateServers servers)
{
    private const string Accepted = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    [Theory]
    [InlineData("permessage-deflate; client_max_window_bits", Accepted)]
    [InlineData("permessage-deflate", Accepted)]
    [InlineData("PerMessage-Deflate ;  client_no_context_takeover ; server_no_context_takeover", Accepted)]
    [InlineData("permessage-deflate; client_max_window_bits=10", Accepted)]
    [InlineData("permessage-deflate; server_max_window_bits=10", Accepted + "; server_max_window_bits=10")]
    [InlineData("permessage-deflate; server_max_window_bits=\"12\"", Accepted + "; server_max_window_bits=12")]
    [InlineData("x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=15", Accepted + "; server_max_window_bits=15")]
    [InlineData("permessage-deflate; server_max_window_bits=7, permessage-deflate", Accepted)]
    public Task Acceptable_offer_is_answered(string offer, string answer) => servers.RunAsync(async server =>
    {
        var (client, response) = await RawClient.UpgradeAsync(server.EndPoint, $"Sec-WebSocket-Extensions: {offer}\r\n");
        await using var _ = client;
        Assert.Equal(101, response.Status);
        Assert.Equal(answer, response.Header("Sec-WebSocket-Extensions"));
    });

    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=7")]
    [InlineData("permessage-deflate; server_max_window_bits=16")]
    [InlineData("permessage-deflate; server_max_window_bits")]
    [InlineData("permessage-deflate; server_max_window_bits=010")]
    [InlineData("permessage-deflate; client_max_window_bits=16")]
    [InlineData("permessage-deflate; client_max_window_bits=abc")]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover")]
    [InlineData("permessage-deflate; client_no_context_takeover=1")]
    [InlineData("permessage-deflate; unknown_parameter")]
    [InlineData("x-webkit-deflate-frame")]
    [InlineData("")]
    public Task Offer_the_server_cannot_honour_is_declined_and_the_handshake_succeeds(string offer) => servers.RunAsync(async server =>
    {
        var (client, response) = await RawClient.UpgradeAsync(server.EndPoint, $"Sec-WebSocket-Extensions: {offer}\r\n");
        await using var _ = client;
        Assert.Equal(101, response.Status);
        Assert.False(response.Has("Sec-WebSocket-Extensions"), $"answered '{string.Join(", ", response.Values("Sec-WebSocket-Extensions"))}'");
        // Declined means plain frames both ways: RSV1 from this client is a protocol error.
        await client.SendCompressedChatAsync("declined");
        await client.ExpectCloseAsync(1002);
    });

    [Fact]
    public Task Handshake_without_an_offer_has_no_extension() => servers.RunAsync(async server =>
    {
        var (client, response) = await RawClient.UpgradeAsync(server.EndPoint, "");
        await using var _ = client;
        Assert.Equal(101, response.Status);
        Assert.False(response.Has("Sec-WebSocket-Extensions"));
    });
}
