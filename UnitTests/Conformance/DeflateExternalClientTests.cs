using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Tls;

namespace Chat.UnitTests.Conformance;

/// <summary>
/// python3-websockets, an independent RFC 7692 implementation that offers permessage-deflate by default, against a
/// server with the setting on and its default minimum size (256 bytes): it negotiates, its compressed messages are
/// inflated, long broadcasts reach it compressed and short ones plain, and a client that offers nothing gets plain.
/// </summary>
public sealed class DeflateExternalClientTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(settings: new Dictionary<string, string>
    {
        ["CHAT_PERMESSAGE_DEFLATE"] = "on",
        ["CHAT_MAX_MESSAGES_PER_SECOND"] = "0",
    });

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Fact]
    public async Task Python_websockets_negotiates_deflate_and_gets_compressed_frames_while_a_plain_client_gets_plain_ones()
    {
        var python = await ExternalTool.PythonWithWebSocketsAsync();
        const string script = """
            import asyncio, json, sys
            import websockets

            async def chat(socket):
                while True:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
                    if frame["messageType"] == "chatMessage":
                        return frame

            async def main(uri):
                async with websockets.connect(uri, open_timeout=30) as deflating, \
                           websockets.connect(uri, open_timeout=30, compression=None) as plain:
                    print(deflating.response_headers.get("Sec-WebSocket-Extensions"))
                    print(plain.response_headers.get("Sec-WebSocket-Extensions"))
                    extension = deflating.extensions[0]
                    compressed = []
                    decode = extension.decode
                    def recording(frame, *, max_size=None):
                        compressed.append(frame.rsv1)
                        return decode(frame, max_size=max_size)
                    extension.decode = recording
                    for comment in ["long" * 125, "short"]:
                        await deflating.send(json.dumps({"messageType": "chatMessage", "comment": comment}))
                        mine, theirs = await chat(deflating), await chat(plain)
                        print(mine == theirs, len(mine["comment"]), compressed[-1])

            asyncio.run(main(sys.argv[1]))
            """;
        var run = await ExternalTool.RunAsync(python, "-c", script, $"ws://{_server.EndPoint}/websocket?room=python-deflate");
        Assert.True(run.ExitCode == 0, run.Error);
        var lines = run.Output.Split('\n');
        Assert.Equal(
        [
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            "None",
            "True 500 True",
            "True 5 False",
        ], lines);
    }
}
