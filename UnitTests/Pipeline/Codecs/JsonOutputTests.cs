using System.Buffers;
using System.Text;
using System.Text.Json;
using Chat.Pipeline.Codecs;
using Xunit;

namespace Chat.UnitTests.Pipeline.Codecs;

/// <summary>
/// The presence and rooms documents' writer escapes as the chat message does: quote, backslash and controls only,
/// U+2028 and astral characters raw, a lone surrogate as U+FFFD; and what it writes parses back to the same strings.
/// </summary>
public sealed class JsonOutputTests
{
    [Fact]
    public void A_string_array_escapes_as_chat_frames_do_and_parses_back()
    {
        string[] names = ["plain", "q\"b\\s", "line\u2028sep", "smile\U0001F600", "tab\tand\u0001", ""];
        var output = new ArrayBufferWriter<byte>(1);

        JsonOutput.StringArray(output, names);

        Assert.Equal(
            "[\"plain\",\"q\\\"b\\\\s\",\"line\u2028sep\",\"smile\U0001F600\",\"tab\\tand\\u0001\",\"\"]",
            Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(names, JsonSerializer.Deserialize<string[]>(output.WrittenSpan));
    }

    [Fact]
    public void A_lone_surrogate_is_written_as_the_replacement_character_and_numbers_as_digits()
    {
        var output = new ArrayBufferWriter<byte>(1);

        JsonOutput.String(output, "a\uD83Db");
        JsonOutput.Literal(output, ","u8);
        JsonOutput.Number(output, long.MaxValue);
        JsonOutput.Literal(output, ","u8);
        JsonOutput.StringArray(output, []);

        Assert.Equal("\"a\uFFFDb\",9223372036854775807,[]", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
