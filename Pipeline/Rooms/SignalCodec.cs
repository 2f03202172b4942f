using System.Text.Json;
using Chat.Pipeline.Codecs;

namespace Chat.Pipeline.Rooms;

/// <summary>
/// The course page's video-call signalling: <c>webRTC-offer</c>, <c>webRTC-answer</c> and <c>webRTC-candidate</c>
/// messages, each with a JSON object member of the same name. They are relayed as they came, with the sender's
/// <c>username</c> and <c>room</c> appended (appended last, so they win over members of those names the client sent).
/// Pure functions over spans.
/// </summary>
internal static class SignalCodec
{
    public const string MemberRule = "a webRTC-offer, webRTC-answer or webRTC-candidate message needs an offer, answer or candidate that is a JSON object";

    private const int MaxFrameHeader = 10;

    private static ReadOnlySpan<byte> UsernameField => ",\"username\":\""u8;

    private static ReadOnlySpan<byte> RoomField => "\",\"room\":\""u8;

    private static ReadOnlySpan<byte> End => "\"}"u8;

    /// <summary>Whether json (valid UTF-8) is a signalling message, and if so whether its member is an object.</summary>
    public static SignalError Classify(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return SignalError.NotASignal;
            // Bits: 1 offer, 2 answer, 4 candidate. Which member matters is known only once messageType was read,
            // which may come last: each member's kind is kept (the last of a name wins, as in the chat parser).
            int wanted = 0, objects = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("messageType"u8))
                {
                    reader.Read();
                    wanted = reader.TokenType != JsonTokenType.String ? 0
                        : reader.ValueTextEquals("webRTC-offer"u8) ? 1
                        : reader.ValueTextEquals("webRTC-answer"u8) ? 2
                        : reader.ValueTextEquals("webRTC-candidate"u8) ? 4
                        : 0;
                    continue;
                }
                var bit = reader.ValueTextEquals("offer"u8) ? 1 : reader.ValueTextEquals("answer"u8) ? 2 : reader.ValueTextEquals("candidate"u8) ? 4 : 0;
                reader.Read();
                if (bit != 0) objects = reader.TokenType == JsonTokenType.StartObject ? objects | bit : objects & ~bit;
                reader.Skip();
            }
            // The rest must be valid JSON too, else the chat parser's "not valid JSON" answers it.
            while (reader.Read())
            {
            }
            if (wanted == 0) return SignalError.NotASignal;
            return (objects & wanted) != 0 ? SignalError.None : SignalError.MemberNotAnObject;
        }
        catch (JsonException)
        {
            return SignalError.NotASignal;
        }
    }

    /// <summary>Upper bound of <see cref="WriteFrame"/> for these input lengths.</summary>
    public static int MaxFrameLength(int jsonBytes, int usernameBytes, int roomBytes) =>
        MaxFrameHeader + jsonBytes + UsernameField.Length + (JsonStringEscaper.MaxExpansion * usernameBytes)
        + RoomField.Length + roomBytes + End.Length;

    /// <summary>
    /// A complete server text frame: json (a JSON object, as <see cref="Classify"/> accepted it) with
    /// <c>"username"</c> and <c>"room"</c> appended. destination must hold <see cref="MaxFrameLength"/> bytes. Returns
    /// the frame's bytes written from the start of destination; <paramref name="payloadStart"/> is where its JSON begins.
    /// </summary>
    public static int WriteFrame(ReadOnlySpan<byte> json, ReadOnlySpan<byte> usernameEscaped, ReadOnlySpan<byte> room, Span<byte> destination, out int payloadStart)
    {
        var body = json.TrimEnd(" \t\r\n"u8);
        // The object's closing brace goes; the appended members and a new brace take its place.
        body = body[..^1];
        var payload = destination[MaxFrameHeader..];
        body.CopyTo(payload);
        var p = body.Length;
        UsernameField.CopyTo(payload[p..]);
        p += UsernameField.Length;
        p += JsonStringEscaper.Escape(usernameEscaped, payload[p..]);
        RoomField.CopyTo(payload[p..]);
        p += RoomField.Length;
        room.CopyTo(payload[p..]);
        p += room.Length;
        End.CopyTo(payload[p..]);
        p += End.Length;
        var header = FrameEncoder.HeaderLength(p);
        payloadStart = header;
        payload[..p].CopyTo(destination[header..]);
        FrameEncoder.WriteHeader(destination, Opcode.Text, fin: true, p);
        return header + p;
    }

    /// <summary>A frame for a payload another node relayed (already holding username and room).</summary>
    public static int WritePayloadFrame(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var header = FrameEncoder.HeaderLength(payload.Length);
        payload.CopyTo(destination[header..]);
        FrameEncoder.WriteHeader(destination, Opcode.Text, fin: true, payload.Length);
        return header + payload.Length;
    }
}
