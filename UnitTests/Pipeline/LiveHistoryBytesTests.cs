using Chat.Pipeline;
using Chat.Pipeline.Codecs;
using Chat.Reactor;
using Chat.Storage;
using Chat.UnitTests.Infrastructure;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// One serialiser (issue 18): a message read from /chat-history is, byte for byte, the payload of the chatMessage
/// frame broadcast for it. History was written by System.Text.Json beside the frames' own encoder, and the two drifted:
/// U+2028, U+2029 and astral characters were raw in the frame and \u-escaped in history. Raw bytes are compared, not
/// parsed JSON, on each durable store.
/// </summary>
public abstract class LiveHistoryBytesTests
{
    // What the two writers disagreed on (line and paragraph separators, astral characters), what JSON escapes (quote,
    // backslash, controls in short and \u00XX form), and what the server HTML-escapes first.
    private const string Comment = "a\u2028b\u2029c \U0001F600 \U0001D11E \"quoted\" back\\slash \u0001\u001f\t\n\r\b\f <b>&'</b> \u00e9";
    private const string Name = "n\u2028\U0001F600\U0001D11E<&>\"'";

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    /// <summary>A fresh store of the class's kind; the server initialises and disposes it.</summary>
    protected abstract Task<IMessageStore> CreateStoreAsync();

    [StoreFact]
    public async Task A_message_read_from_chat_history_is_the_bytes_of_its_live_frame()
    {
        await using var server = await InProcessPipelineServer.StartAsync(await CreateStoreAsync(), new PipelineOptions(), ReactorBackend.Epoll);
        await using var socket = await RawClient.OpenWebSocketAsync(server.EndPoint, $"room=bytes&name={Uri.EscapeDataString(Name)}");
        await socket.SendChatAsync(Comment);
        var frame = await socket.ReadFrameAsync().WaitAsync(Within);
        Assert.Equal(Opcode.Text, frame.Opcode);
        var live = frame.Json();
        // The name and comment made it through as sent (HTML-escaped), so every character above is in both writers' path.
        Assert.Equal("n\u2028\U0001F600\U0001D11E&lt;&amp;&gt;&quot;&#39;", live.GetProperty("username").GetString());
        Assert.Equal(Comment.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;"),
            live.GetProperty("comment").GetString());

        await using var http = await RawClient.ConnectAsync(server.EndPoint);
        var history = await http.RequestAsync(RawClient.Get($"/chat-history?room=bytes&since={live.GetProperty("id").GetInt64() - 1}")).WaitAsync(Within);

        Assert.Equal(200, history.Status);
        byte[] expected = [(byte)'[', .. frame.Payload, (byte)']'];
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(history.Body));
    }
}
