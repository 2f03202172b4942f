using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chat.UnitTests.EndToEnd;

/// <summary>A chat client on <see cref="ClientWebSocket"/>: an independent implementation of the protocol for our tests.</summary>
internal sealed class ChatClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[128 * 1024];

    public WebSocketState State => _socket.State;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static async Task<ChatClient> ConnectAsync(Uri uri)
    {
        var client = new ChatClient();
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await client._socket.ConnectAsync(uri, timeout.Token);
        return client;
    }

    public Task SendChatAsync(string comment) =>
        SendTextAsync(JsonSerializer.Serialize(new { messageType = "chatMessage", comment }));

    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next text message as JSON; throws on timeout or close.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? DefaultTimeout);
        var length = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close) throw new WebSocketException($"closed by the server: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
            length += result.Count;
            if (result.EndOfMessage) break;
        }
        return JsonDocument.Parse(_buffer.AsMemory(0, length)).RootElement.Clone();
    }

    /// <summary>The next chatMessage frames, skipping nothing: each must be a chatMessage.</summary>
    public async Task<List<ChatFrame>> ReceiveChatsAsync(int count, TimeSpan? within = null)
    {
        var frames = new List<ChatFrame>(count);
        for (var i = 0; i < count; i++) frames.Add(ChatFrame.From(await ReceiveAsync(within)));
        return frames;
    }

    /// <summary>True when nothing arrives within <paramref name="quiet"/>.</summary>
    public async Task<bool> IsQuietAsync(TimeSpan quiet)
    {
        try
        {
            await ReceiveAsync(quiet);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async Task CloseAsync()
    {
        if (_socket.State != WebSocketState.Open) return;
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync();
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        _socket.Dispose();
    }
}
