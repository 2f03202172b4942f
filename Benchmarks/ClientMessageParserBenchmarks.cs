using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Chat.Pipeline.Codecs;

namespace Chat.Benchmarks;

/// <summary>
/// Reading the client's <c>{"messageType":"chatMessage","comment":"…"}</c> with our reader-based parser against
/// <see cref="JsonSerializer"/> deserializing the same document into an object.
/// </summary>
[Config(typeof(CodecConfig))]
public class ClientMessageParserBenchmarks : IThroughputBenchmark
{
    private byte[] _json = [];
    private byte[] _comment = [];

    [Params(100, 4000)]
    public int CommentBytes { get; set; }

    public long BytesPerOperation => _json.Length;

    [GlobalSetup]
    public void Setup()
    {
        _json = ClientFrames.ChatJson(CommentBytes);
        _comment = new byte[_json.Length];
    }

    [Benchmark(Baseline = true)]
    public int JsonSerializerDeserialize() => JsonSerializer.Deserialize<ClientMessage>(_json)!.Comment.Length;

    [Benchmark]
    public int ClientMessageParser()
    {
        var error = Pipeline.Codecs.ClientMessageParser.Parse(_json, _comment, maxCommentChars: 4096, out var length);
        return error == ClientMessageError.None ? length : -1;
    }

    /// <summary>The client message as a serializer model.</summary>
    public sealed class ClientMessage
    {
        [System.Text.Json.Serialization.JsonPropertyName("messageType")]
        public string MessageType { get; set; } = "";

        [System.Text.Json.Serialization.JsonPropertyName("comment")]
        public string Comment { get; set; } = "";
    }
}
