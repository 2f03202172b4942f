namespace Chat.UnitTests.Conformance;

/// <summary>
/// Names cannot impersonate (issue 19 item 6): NFC, bidi controls and zero-width characters stripped before the length
/// rules, and the server's own <c>User</c> + digits pattern refused.
/// </summary>
public sealed partial class MessageTests
{
    [Theory]
    [InlineData("name=e%CC%81mile", "\u00e9mile")]
    [InlineData("name=A%CC%8Angstr%C3%B6m", "\u00c5ngstr\u00f6m")]
    [InlineData("name=%E2%80%AEgnp.exe", "gnp.exe")]
    [InlineData("name=Al%E2%80%8Bi%E2%80%8Cc%E2%80%8De", "Alice")]
    [InlineData("name=%EF%BB%BFBob%E2%81%A0", "Bob")]
    [InlineData("name=%E2%81%A6Carol%E2%81%A9%E2%80%AA%E2%80%AC", "Carol")]
    [InlineData("name=%E2%80%8B%20Dave%20%E2%80%8B", "Dave")]
    [InlineData("name=abcdefghijklmnop%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8Bqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345")]
    [InlineData("name=Userin", "Userin")]
    [InlineData("name=User%201", "User 1")]
    public Task Name_is_normalised_and_stripped_of_invisible_characters_before_the_length_rules(string query, string username) =>
        servers.RunWebSocketAsync(async client =>
        {
            await client.SendChatAsync("cleaned");
            Assert.Equal(username, (await client.ExpectChatAsync("cleaned")).GetProperty("username").GetString());
        }, query);

    [Theory]
    [InlineData("name=User999999", "User999999")]
    [InlineData("name=user999998", "user999998")]
    [InlineData("name=USER999997", "USER999997")]
    [InlineData("name=User%E2%80%8B999996", "User999996")]
    [InlineData("name=%E2%80%AEUser999995", "User999995")]
    [InlineData("name=%E2%80%8B%E2%80%8B", "")]
    [InlineData("name=%E2%80%AE", "")]
    public Task Name_of_the_assigned_pattern_or_only_invisible_characters_gets_an_assigned_name(string query, string refused) =>
        servers.RunWebSocketAsync(async client =>
        {
            await client.SendChatAsync("impostor");
            var username = (await client.ExpectChatAsync("impostor")).GetProperty("username").GetString()!;
            Assert.Matches(AssignedName(), username);
            Assert.NotEqual(refused, username);
        }, query);
}
