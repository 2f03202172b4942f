using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Chat.UnitTests.Conformance;

/// <summary>HTTP/1.1 over the raw socket: requests as literal text, responses parsed without any HTTP library.</summary>
internal sealed partial class RawClient
{
    private const int MaxHeadBytes = 64 * 1024;

    /// <summary>The RFC 6455 section 1.3 sample key, and the accept value it must produce.</summary>
    public const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
    public const string SampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /// <summary>A complete, valid upgrade request; tests derive broken ones from it.</summary>
    public static string UpgradeRequest(string query = "", string key = SampleKey, string extraHeaders = "") =>
        $"GET /websocket{(query.Length > 0 ? "?" + query : "")} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
        $"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";

    public static string Get(string target, string extraHeaders = "") => $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extraHeaders}\r\n";

    /// <summary>Connects, sends a valid upgrade request and checks the 101 answer.</summary>
    public static async Task<RawClient> OpenWebSocketAsync(IPEndPoint endPoint, string query = "", string extraHeaders = "", int receiveBuffer = 0)
    {
        var client = await ConnectAsync(endPoint, receiveBuffer);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await client.SendAsync(UpgradeRequest(query, key, extraHeaders));
        var response = await client.ReadResponseAsync();
        Assert.Equal("HTTP/1.1 101 Switching Protocols", response.StatusLine);
        Assert.Equal(ExpectedAccept(key), response.Header("Sec-WebSocket-Accept"));
        return client;
    }

    public static string ExpectedAccept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    /// <summary>Sends one request and reads its answer.</summary>
    public async Task<RawResponse> RequestAsync(string request, bool headRequest = false)
    {
        await SendAsync(request);
        return await ReadResponseAsync(headRequest);
    }

    /// <summary>Reads one response head and, unless it is a 1xx or an answer to HEAD, the Content-Length bytes of body.</summary>
    public async Task<RawResponse> ReadResponseAsync(bool headRequest = false)
    {
        var head = new List<byte>();
        while (head.Count < 4 || head[^1] != '\n' || head[^2] != '\r' || head[^3] != '\n' || head[^4] != '\r')
        {
            Assert.True(head.Count < MaxHeadBytes, "response head too long");
            head.Add(await ReadByteAsync());
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        Assert.StartsWith("HTTP/1.1 ", lines[0]);
        var headers = new List<(string, string)>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':');
            Assert.True(colon > 0, $"bad header line '{line}'");
            headers.Add((line[..colon], line[(colon + 1)..].Trim()));
        }
        var response = new RawResponse(lines[0], headers, []);
        if (response.Status < 200 || headRequest || !response.Has("Content-Length")) return response;
        var body = new byte[int.Parse(response.Header("Content-Length"), CultureInfo.InvariantCulture)];
        await ReadExactlyAsync(body);
        return response with { Body = body };
    }
}
