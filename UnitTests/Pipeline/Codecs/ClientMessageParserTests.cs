using System.Text;
using Chat.Pipeline.Codecs;
using CsCheck;
using Xunit;

namespace Chat.UnitTests.Pipeline.Codecs;

public sealed class ClientMessageParserTests
{
    private const int Max = 4096;

    [Theory]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"hello\"}", "hello")]
    [InlineData("  { \"comment\" : \"hi <b>\" , \"messageType\" : \"chatMessage\" }  ", "hi <b>")]
    [InlineData("{\"messageType\": \"chatMessage\", \"comment\": \"hello <b>world</b>\"}", "hello <b>world</b>")]
    public void Valid_message_yields_its_comment(string json, string comment)
    {
        Assert.Equal((ClientMessageError.None, comment), Parse(json));
    }

    [Theory]
    [InlineData("a\\nb", "a\nb")]
    [InlineData("\\u00e9t\\u00E9", "été")]
    [InlineData("\\ud83d\\ude00", "😀")]
    [InlineData("\\\"q\\\" \\\\ \\/ \\t", "\"q\" \\ / \t")]
    [InlineData("é😀中", "é😀中")]
    public void Json_escapes_in_the_comment_are_unescaped(string raw, string expected)
    {
        Assert.Equal((ClientMessageError.None, expected), Parse($"{{\"messageType\":\"chatMessage\",\"comment\":\"{raw}\"}}"));
    }

    [Fact]
    public void Extra_properties_of_any_shape_are_ignored()
    {
        const string json = "{\"x\":1,\"messageType\":\"chatMessage\",\"nested\":{\"comment\":5,\"a\":[1,{\"b\":null}]},\"comment\":\"ok\",\"z\":[true]}";

        Assert.Equal((ClientMessageError.None, "ok"), Parse(json));
    }

    [Fact]
    public void Escaped_property_names_are_recognised()
    {
        Assert.Equal((ClientMessageError.None, "ok"), Parse("{\"message\\u0054ype\":\"chat\\u004dessage\",\"comment\":\"ok\"}"));
    }

    [Fact]
    public void Duplicate_property_takes_the_last_value()
    {
        Assert.Equal((ClientMessageError.None, "second"), Parse("{\"messageType\":\"chatMessage\",\"comment\":\"first\",\"comment\":\"second\"}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"x\"")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"x\"}}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"x\"} {}")]
    [InlineData("{'messageType':'chatMessage'}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"x\",}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"bad \\x escape\"}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"raw \n newline\"}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"lone \\ud800 surrogate\"}")]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"lone \\udc00 low\"}")]
    [InlineData("{\"messageType\":\"chatMessage\" /* c */,\"comment\":\"x\"}")]
    [InlineData("[1,2")]
    [InlineData("nul")]
    public void Invalid_json_is_invalid_json(string json)
    {
        Assert.Equal((ClientMessageError.InvalidJson, ""), Parse(json));
    }

    [Fact]
    public void Nesting_deeper_than_the_reader_allows_is_invalid_json()
    {
        string deep = "{\"messageType\":\"chatMessage\",\"comment\":\"x\",\"d\":" + new string('[', 100) + new string(']', 100) + "}";

        Assert.Equal((ClientMessageError.InvalidJson, ""), Parse(deep));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"messageType\":\"chatMessage\",\"comment\":\"x\"}]")]
    [InlineData("\"chatMessage\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    public void Json_that_is_not_an_object_is_not_an_object(string json)
    {
        Assert.Equal((ClientMessageError.NotAnObject, ""), Parse(json));
    }

    [Theory]
    [InlineData("{\"comment\":\"x\"}", (int)ClientMessageError.MissingMessageType)]
    [InlineData("{}", (int)ClientMessageError.MissingMessageType)]
    [InlineData("{\"messageType\":\"chat\",\"comment\":\"x\"}", (int)ClientMessageError.UnknownMessageType)]
    [InlineData("{\"messageType\":\"ChatMessage\",\"comment\":\"x\"}", (int)ClientMessageError.UnknownMessageType)]
    [InlineData("{\"messageType\":1,\"comment\":\"x\"}", (int)ClientMessageError.UnknownMessageType)]
    [InlineData("{\"messageType\":null,\"comment\":\"x\"}", (int)ClientMessageError.UnknownMessageType)]
    [InlineData("{\"messageType\":{\"a\":\"chatMessage\"},\"comment\":\"x\"}", (int)ClientMessageError.UnknownMessageType)]
    [InlineData("{\"messageType\":\"chatMessage\"}", (int)ClientMessageError.MissingComment)]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":5}", (int)ClientMessageError.CommentNotString)]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":null}", (int)ClientMessageError.CommentNotString)]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":[\"x\"]}", (int)ClientMessageError.CommentNotString)]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"\"}", (int)ClientMessageError.EmptyComment)]
    [InlineData("{\"messageType\":\"chatMessage\",\"comment\":\"a\\u0000b\"}", (int)ClientMessageError.CommentHasNul)]
    public void Each_bad_message_gets_its_error(string json, int expected)
    {
        Assert.Equal(((ClientMessageError)expected, ""), Parse(json));
    }

    [Fact]
    public void Comment_of_exactly_the_maximum_runes_is_accepted_and_one_more_is_too_long()
    {
        string atMax = new('a', Max);

        Assert.Equal((ClientMessageError.None, atMax), Parse(Message(atMax)));
        Assert.Equal((ClientMessageError.CommentTooLong, ""), Parse(Message(atMax + "b")));
    }

    [Fact]
    public void Emoji_and_other_multi_byte_characters_count_as_one_rune_each()
    {
        string emoji = string.Concat(Enumerable.Repeat("😀", Max));
        string mixed = string.Concat(Enumerable.Repeat("é中😀a", Max / 4));

        Assert.Equal((ClientMessageError.None, emoji), Parse(Message(emoji)));
        Assert.Equal((ClientMessageError.None, mixed), Parse(Message(mixed)));
        Assert.Equal((ClientMessageError.CommentTooLong, ""), Parse(Message(emoji + "😀")));
    }

    [Fact]
    public void Escaped_characters_count_once_they_are_unescaped()
    {
        string escaped = string.Concat(Enumerable.Repeat("\\ud83d\\ude00", 3));

        Assert.Equal(ClientMessageError.None, Parse(Message(escaped), maxChars: 3).Error);
        Assert.Equal(ClientMessageError.CommentTooLong, Parse(Message(escaped), maxChars: 2).Error);
    }

    [Fact]
    public void Destination_too_short_for_the_raw_comment_is_refused_not_thrown()
    {
        byte[] json = Encoding.UTF8.GetBytes(Message("hello"));

        Assert.Equal(ClientMessageError.CommentTooLong, ClientMessageParser.Parse(json, new byte[3], Max, out int length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void Describe_gives_a_fixed_reason_per_error_and_caches_the_length_rule()
    {
        foreach (ClientMessageError error in Enum.GetValues<ClientMessageError>())
        {
            Assert.False(string.IsNullOrWhiteSpace(ClientMessageParser.Describe(error, Max)));
        }

        Assert.Equal("comment must be 1..4096 characters", ClientMessageParser.Describe(ClientMessageError.CommentTooLong, Max));
        Assert.Same(ClientMessageParser.Describe(ClientMessageError.EmptyComment, Max), ClientMessageParser.Describe(ClientMessageError.CommentTooLong, Max));
        Assert.Equal("comment must be 1..10 characters", ClientMessageParser.Describe(ClientMessageError.CommentTooLong, 10));
        Assert.Same(ClientMessageParser.Describe(ClientMessageError.InvalidJson, 1), ClientMessageParser.Describe(ClientMessageError.InvalidJson, 2));
    }

    [Fact]
    public void An_unknown_message_type_is_told_every_type_the_server_takes()
    {
        var reason = ClientMessageParser.Describe(ClientMessageError.UnknownMessageType, Max);
        foreach (var type in new[] { "chatMessage", "webRTC-offer", "webRTC-answer", "webRTC-candidate" })
        {
            Assert.Contains($"\"{type}\"", reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Random_input_never_throws_and_an_accepted_comment_is_within_the_limits()
    {
        Gen.OneOf(Gen.String[0, 60], Gen.String.Select(s => Message(s)), Gen.String.Select(s => "{\"messageType\":\"chatMessage\",\"comment\":" + s + "}"))
            .Sample(json =>
            {
                (ClientMessageError error, string comment) = Parse(json, maxChars: 20);
                Assert.True(error != ClientMessageError.None || comment.EnumerateRunes().Count() is >= 1 and <= 20);
            }, iter: 3000);
    }

    private static string Message(string rawComment) => $"{{\"messageType\":\"chatMessage\",\"comment\":\"{rawComment}\"}}";

    private static (ClientMessageError Error, string Comment) Parse(string json, int maxChars = Max)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        var destination = new byte[utf8.Length];
        ClientMessageError error = ClientMessageParser.Parse(utf8, destination, maxChars, out int length);
        return (error, Encoding.UTF8.GetString(destination, 0, length));
    }
}
