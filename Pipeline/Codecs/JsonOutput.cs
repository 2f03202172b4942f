using System.Buffers;
using System.Globalization;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// The small JSON documents beside the chat message (presence frames, GET /presence, GET /rooms), written by hand so
/// that their strings go through <see cref="JsonStringEscaper"/>, as the chat message's do: a name is the same bytes in
/// a chat frame, a presence frame, /chat-history and /presence (System.Text.Json would write U+2028 and astral
/// characters as \u escapes where the chat message carries them raw).
/// </summary>
internal static class JsonOutput
{
    public static void Literal(IBufferWriter<byte> output, ReadOnlySpan<byte> literal) => output.Write(literal);

    /// <summary>A quoted string, escaped as <see cref="JsonStringEscaper.Escape(string, Span{byte})"/> does.</summary>
    public static void String(IBufferWriter<byte> output, string value)
    {
        var destination = output.GetSpan(2 + (JsonStringEscaper.MaxExpansion * value.Length));
        destination[0] = (byte)'"';
        var written = 1 + JsonStringEscaper.Escape(value, destination[1..]);
        destination[written++] = (byte)'"';
        output.Advance(written);
    }

    /// <summary>A JSON array of quoted strings.</summary>
    public static void StringArray(IBufferWriter<byte> output, IReadOnlyList<string> values)
    {
        Literal(output, "["u8);
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0) Literal(output, ","u8);
            String(output, values[i]);
        }
        Literal(output, "]"u8);
    }

    public static void Number(IBufferWriter<byte> output, long value)
    {
        var destination = output.GetSpan(20);
        value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }
}
