using System.Text.Json.Serialization;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>Source-generated serializers of the frames (no reflection at run time).</summary>
[JsonSerializable(typeof(ChatFrameJson))]
[JsonSerializable(typeof(ChatFrameJson[]))]
[JsonSerializable(typeof(ErrorFrameJson))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
