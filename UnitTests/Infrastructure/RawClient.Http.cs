using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Chat.UnitTests.Infrastructure;

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
    public static async Task<RawClient> OpenWebSocketAsync(IPEndPoint endPoint, string query = "", string extraHeaders = "")
    {
        var client = await ConnectAsync(endPoint);
        try
        {
            await client.UpgradeAsync("/websocket", query, extraHeaders, expectSwitch: true);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a valid upgrade request and returns the status code of the answer (its head is consumed).</summary>
    public Task<int> UpgradeAsync(string query = "", string extraHeaders = "") => UpgradeAsync("/websocket", query, extraHeaders, expectSwitch: false);

    private async Task<int> UpgradeAsync(string path, string query, string extraHeaders, bool expectSwitch)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await SendAsync(UpgradeRequest(query, key, extraHeaders).Replace("GET /websocket", "GET " + path, StringComparison.Ordinal));
        var response = await ReadResponseAsync();
        if (!expectSwitch && response.Status != 101) return response.Status;
        Assert.Equal("HTTP/1.1 101 Switching Protocols", response.StatusLine);
        Assert.Equal(ExpectedAccept(key), response.Header("Sec-WebSocket-Accept"));
        return response.Status;
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
    public async Task<RawResponse> ReadResponseAsync(bool headRequest = false, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Timeout);
        var lines = (await ReadHeadAsync(Remaining(deadline))).Split("\r\n");
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
        await ReadExactlyAsync(body, Remaining(deadline));
        return response with { Body = body };
    }

    /// <summary>
    /// One answer of many pipelined ones, all of it within <paramref name="within"/>; null when the server closed the
    /// connection first. <paramref name="headOnly"/> reads no body (the 101 that ends a pipelined run).
    /// </summary>
    public async Task<RawResponse?> ReadAnswerAsync(TimeSpan within, bool headOnly = false)
    {
        try
        {
            return await ReadResponseAsync(headOnly, within);
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>Reads one HTTP response head, up to and with the blank line, as text; reads no body.</summary>
    public async Task<string> ReadHeadAsync(TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? Timeout);
        var scanned = 0;
        while (true)
        {
            var unread = _buffer.AsSpan(_start, _end - _start);
            var end = unread[Math.Max(0, scanned - 3)..].IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                end += Math.Max(0, scanned - 3) + 4;
                var head = Encoding.ASCII.GetString(unread[..end]);
                _start += end;
                return head;
            }
            scanned = unread.Length;
            Assert.True(scanned < MaxHeadBytes, "response head too long");
            await NeedAsync(scanned + 1, deadline.Token);
        }
    }

    public static int StatusOf(string head) => int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);

    private async Task ReadExactlyAsync(Memory<byte> destination, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        while (!destination.IsEmpty)
        {
            if (_start == _end) await FillAsync(required: true, deadline.Token);
            var take = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, take).CopyTo(destination);
            _start += take;
            destination = destination[take..];
        }
    }
}
