using System.Text;
using BenchmarkDotNet.Attributes;
using Chat.Pipeline.Codecs;

namespace Chat.Benchmarks;

/// <summary>
/// A browser's upgrade request (Chrome's header set): finding the end of the head, parsing it, and the whole opening
/// handshake (scan, parse, validate, SHA-1 accept key, 101 answer) as the parse-header and handshake stages run it.
/// </summary>
[Config(typeof(CodecConfig))]
public class HttpHandshakeBenchmarks : IThroughputBenchmark
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes(
        "GET /websocket?name=Alice HTTP/1.1\r\n"
        + "Host: 127.0.0.1:8080\r\n"
        + "Connection: Upgrade\r\n"
        + "Pragma: no-cache\r\n"
        + "Cache-Control: no-cache\r\n"
        + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"
        + "Upgrade: websocket\r\n"
        + "Origin: http://127.0.0.1:8080\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
        + "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        + "\r\n");

    private readonly byte[] _response = new byte[WebSocketHandshake.MaxSwitchingProtocolsLength];

    public long BytesPerOperation => Request.Length;

    [Benchmark]
    public int ScanHead()
    {
        var scanner = default(HeadTerminatorScanner);
        return scanner.Scan(Request);
    }

    [Benchmark]
    public int ParseHead() => (int)HttpHeadParser.Parse(Request, out _);

    [Benchmark]
    public int Handshake()
    {
        var scanner = default(HeadTerminatorScanner);
        var head = Request.AsSpan(0, scanner.Scan(Request));
        if (HttpHeadParser.Parse(head, out var request) != HttpParseError.None
            || WebSocketHandshake.Validate(request, head) != HandshakeError.None)
        {
            throw new InvalidOperationException("the sample request is a valid upgrade");
        }

        return WebSocketHandshake.WriteSwitchingProtocols(head[request.SecWebSocketKey], _response);
    }
}
