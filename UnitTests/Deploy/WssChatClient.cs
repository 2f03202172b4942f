using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Deploy;

/// <summary>
/// A chat client over wss:// that trusts one test certificate and collects every chatMessage in a background loop, so
/// that a test can wait for counts and see when the connection was dropped under it.
/// </summary>
internal sealed class WssChatClient : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);
    private readonly ClientWebSocket _socket = new();
    private readonly List<ChatFrame> _frames = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;

    /// <summary>True once the connection ended without our asking (the server or the proxy went away).</summary>
    public bool IsDropped { get; private set; }

    public IReadOnlyList<ChatFrame> Frames
    {
        get
        {
            lock (_frames) return [.. _frames];
        }
    }

    public static async Task<WssChatClient> ConnectAsync(Uri uri, TestCertificate trusted)
    {
        var client = new WssChatClient();
        client._socket.Options.RemoteCertificateValidationCallback = trusted.Validate;
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        await client._socket.ConnectAsync(uri, timeout.Token);
        client._receiving = Task.Run(client.ReceiveLoopAsync);
        return client;
    }

    public async Task SendChatAsync(string comment)
    {
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        var text = JsonSerializer.Serialize(new { messageType = "chatMessage", comment });
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived; throws with what did after the deadline.</summary>
    public async Task<IReadOnlyList<ChatFrame>> WaitForAsync(int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Frames.Count < count)
        {
            // A frame that is not a chatMessage ends the loop with its exception: report it rather than time out.
            if (_receiving.IsFaulted) await _receiving;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Frames.Count} of {count} messages within {within.TotalSeconds} s (dropped: {IsDropped})");
            await Task.Delay(20);
        }
        return Frames;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[128 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    IsDropped = true;
                    return;
                }
                var frame = ChatFrame.From(JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement);
                lock (_frames) _frames.Add(frame);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (WebSocketException)
        {
            IsDropped = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        _socket.Abort();
        _socket.Dispose();
        _stop.Dispose();
    }
}
