using System.Text.Json.Serialization;

namespace Chat.LoadTests.KestrelLean;

/// <summary>Source-generated System.Text.Json serializers of the two frame shapes.</summary>
[JsonSerializable(typeof(LeanMessage))]
[JsonSerializable(typeof(LeanRequest))]
internal sealed partial class LeanJsonContext : JsonSerializerContext;
