using System.Text;
using System.Text.RegularExpressions;
using Chat.Pipeline.Codecs;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// The chat messages on the socket: bad ones get an error frame to their sender alone and the connection stays open;
/// comments and names are HTML-escaped; <c>name=</c> is kept when it has 1..32 characters after trimming.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed partial class MessageTests(ConformanceServers servers)
{
    [Theory]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"x\"} trailing")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"x\",}")]
    [InlineData("{'messageType':'chatMessage','comment':'x'}")]
    [InlineData("[]")]
    [InlineData("\"chatMessage\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"\\ud800\"}")]
    public Task Invalid_json_gets_an_error_frame_and_the_connection_stays_open(string text) => AssertRefusedAsync(text);

    [Theory]
    [InlineData("{\"comment\":\"no type\"}")]
    [InlineData("{\"messageType\":\"shout\",\"comment\":\"x\"}")]
    [InlineData("{\"messageType\":\"ChatMessage\",\"comment\":\"x\"}")]
    [InlineData("{\"messageType\":42,\"comment\":\"x\"}")]
    [InlineData("{\"messageType\":null,\"comment\":\"x\"}")]
    public Task Missing_or_unknown_message_type_gets_an_error_frame(string text) => AssertRefusedAsync(text);

    [Theory]
    [InlineData("{\"messageType\":\"chatMessage\"}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"\"}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":42}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":null}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":[\"x\"]}")]
    public Task Missing_empty_or_non_string_comment_gets_an_error_frame(string text) => AssertRefusedAsync(text);

    [Theory]
    [InlineData("a")]
    [InlineData("é")]
    [InlineData("😀")]
    public Task Comment_over_4096_characters_gets_an_error_frame(string character) =>
        AssertRefusedAsync(RawClient.Chat(string.Concat(Enumerable.Repeat(character, 4097))));

    [Theory]
    [InlineData("a")]
    [InlineData("é")]
    [InlineData("😀")]
    public Task Comment_of_4096_characters_is_accepted(string character) => servers.RunWebSocketAsync(async client =>
    {
        var comment = string.Concat(Enumerable.Repeat(character, 4096));
        await client.SendChatAsync(comment);
        await client.ExpectChatAsync(comment);
    });

    [Theory]
    [InlineData("&", "&amp;")]
    [InlineData("<", "&lt;")]
    [InlineData(">", "&gt;")]
    [InlineData("\"", "&quot;")]
    [InlineData("'", "&#39;")]
    [InlineData("<script>alert('x&y')</script>", "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;")]
    [InlineData("&amp;", "&amp;amp;")]
    public Task Comment_is_html_escaped(string comment, string escaped) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync(comment);
        await client.ExpectChatAsync(escaped);
    });

    [Fact]
    public Task Comment_holding_nul_gets_an_error_frame() => AssertRefusedAsync("{\"messageType\":\"chatMessage\",\"comment\":\"a\\u0000b\"}");

    [Fact]
    public Task Since_on_the_upgrade_replays_what_came_after_it_then_live_messages() => servers.RunAsync(async server =>
    {
        await using var sender = await RawClient.OpenWebSocketAsync(server.EndPoint);
        var ids = new List<long>();
        foreach (var comment in new[] { "replay 0", "replay 1", "replay 2" })
        {
            await sender.SendChatAsync(comment);
            ids.Add((await sender.ExpectChatAsync(comment)).GetProperty("id").GetInt64());
        }
        await using var late = await RawClient.OpenWebSocketAsync(server.EndPoint, $"since={ids[0]}");
        Assert.Equal(ids[1], (await late.ExpectChatAsync("replay 1")).GetProperty("id").GetInt64());
        Assert.Equal(ids[2], (await late.ExpectChatAsync("replay 2")).GetProperty("id").GetInt64());
        await sender.SendChatAsync("live after replay");
        Assert.True((await late.ExpectChatAsync("live after replay")).GetProperty("id").GetInt64() > ids[2]);
    });

    [Fact]
    public Task Username_is_html_escaped() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync("hi");
        var message = await client.ExpectChatAsync("hi");
        Assert.Equal("&lt;b&gt;&amp;&quot;&#39;", message.GetProperty("username").GetString());
    }, "name=%3Cb%3E%26%22%27");

    [Theory]
    [InlineData("name=Alice", "Alice")]
    [InlineData("name=%20%20Bob%20%20", "Bob")]
    [InlineData("name=+Carol+", "Carol")]
    [InlineData("name=abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345")]
    [InlineData("name=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", "éééééééééééééééééééééééééééééééé")]
    public Task Name_of_1_to_32_characters_after_trimming_is_kept(string query, string username) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync("named");
        Assert.Equal(username, (await client.ExpectChatAsync("named")).GetProperty("username").GetString());
    }, query);

    [Theory]
    [InlineData("")]
    [InlineData("name=")]
    [InlineData("name=%20%20%20")]
    [InlineData("name=abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("name=%FF")]
    [InlineData("name=a%0Ab")]
    public Task Missing_or_bad_name_gets_user_and_a_number(string query) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync("unnamed");
        var username = (await client.ExpectChatAsync("unnamed")).GetProperty("username").GetString()!;
        Assert.Matches(AssignedName(), username);
        await client.SendChatAsync("same name");
        Assert.Equal(username, (await client.ExpectChatAsync("same name")).GetProperty("username").GetString());
    }, query);

    [Fact]
    public Task Error_frame_goes_to_its_sender_alone() => servers.RunAsync(async server =>
    {
        await using var sender = await RawClient.OpenWebSocketAsync(server.EndPoint);
        await using var other = await RawClient.OpenWebSocketAsync(server.EndPoint);
        await sender.SendTextAsync("{broken");
        await sender.ExpectErrorAsync();
        Assert.True(await other.IsSilentAsync(TimeSpan.FromMilliseconds(300)), "another client saw the error frame");
        await sender.SendChatAsync("to everyone");
        var mine = await sender.ExpectChatAsync("to everyone");
        var theirs = await other.ExpectChatAsync("to everyone");
        Assert.Equal(mine.GetProperty("id").GetInt64(), theirs.GetProperty("id").GetInt64());
    });

    [Fact]
    public Task Broadcast_carries_id_room_username_comment_and_a_utc_millisecond_timestamp() => servers.RunWebSocketAsync(async client =>
    {
        await client.SendChatAsync("shape");
        var message = await client.ExpectChatAsync("shape");
        Assert.True(message.GetProperty("id").GetInt64() > 0);
        Assert.Equal("general", message.GetProperty("room").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", message.GetProperty("timestamp").GetString()!);
        Assert.Equal(6, message.EnumerateObject().Count());
    });

    [Fact]
    public Task Ten_refused_messages_in_a_row_leave_the_connection_open() => servers.RunWebSocketAsync(async client =>
    {
        for (var i = 0; i < 10; i++)
        {
            await client.SendTextAsync("{\"messageType\":\"chatMessage\"}");
            await client.ExpectErrorAsync();
        }
        await client.SendChatAsync("still open");
        await client.ExpectChatAsync("still open");
    });

    private Task AssertRefusedAsync(string text) => servers.RunWebSocketAsync(async client =>
    {
        await client.SendFrameAsync(Opcode.Text, Encoding.UTF8.GetBytes(text));
        await client.ExpectErrorAsync();
        await client.SendChatAsync("after refusal");
        await client.ExpectChatAsync("after refusal");
    });

    [GeneratedRegex("^User[0-9]+$")]
    private static partial Regex AssignedName();
}
