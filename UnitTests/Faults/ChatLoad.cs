using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chat.UnitTests.Faults;

/// <summary>
/// Chat load during a fault: clients that all connect first, then each send "c{client}-{n}" at a steady pace while
/// recording every frame they receive, until told to stop or their connection dies.
/// </summary>
internal sealed class ChatLoad : IAsyncDisposable
{
    private readonly List<Member> _members;
    private readonly CancellationTokenSource _stopSending = new();

    private ChatLoad(List<Member> members) => _members = members;

    public int Count => _members.Count;

    /// <summary>Messages whose send completed (handed to the kernel; not necessarily read by the server).</summary>
    public int Sent => _members.Sum(m => m.SentCount);

    public IReadOnlyList<string> SentBy(int client)
    {
        lock (_members[client].Sent) return [.. _members[client].Sent];
    }

    public IReadOnlyList<ChatFrame> ReceivedBy(int client)
    {
        lock (_members[client].Received) return [.. _members[client].Received];
    }

    public int ErrorsReceived => _members.Sum(m => Volatile.Read(ref m.Errors));

    /// <summary>False once the client saw the server's close frame or the end of the connection, or was dropped.</summary>
    public bool IsOpen(int client) => _members[client].Client.IsOpen;

    public int? CloseCodeOf(int client) => _members[client].Client.CloseCode;

    /// <summary>Connects <paramref name="clients"/> clients to <paramref name="uri"/>, then starts them sending every <paramref name="interval"/>.</summary>
    /// <param name="perClient">Messages each client sends at most.</param>
    public static async Task<ChatLoad> StartAsync(Uri uri, int clients, TimeSpan interval, int perClient = 100_000)
    {
        var members = new List<Member>(clients);
        try
        {
            for (var i = 0; i < clients; i++) members.Add(new Member(i, await RawClient.OpenWebSocketAsync(uri)));
        }
        catch
        {
            foreach (var member in members) await member.Client.DisposeAsync();
            throw;
        }
        var load = new ChatLoad(members);
        foreach (var member in members)
        {
            member.Receiving = Task.Run(() => member.ReceiveAsync());
            member.Sending = Task.Run(() => member.SendAsync(interval, perClient, load._stopSending.Token));
        }
        return load;
    }

    /// <summary>Cuts one client off (no close handshake), as a network drop would; the others go on.</summary>
    public void Drop(int client) => _members[client].Client.Abort();

    /// <summary>Stops the senders and waits for their loops to end.</summary>
    public async Task StopSendingAsync()
    {
        await _stopSending.CancelAsync();
        await Task.WhenAll(_members.Select(m => m.Sending!));
    }

    /// <summary>Waits (bounded) until every client received at least <paramref name="count"/> chat frames.</summary>
    public async Task<bool> WaitForReceivedAsync(int count, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (_members.All(m => m.ReceivedCount >= count)) return true;
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed >= within) return false;
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>Waits (bounded) until the asynchronous <paramref name="condition"/> holds.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed >= within) return false;
            await Task.Delay(100);
        }
        return true;
    }

    /// <summary>
    /// After <see cref="StopSendingAsync"/>: every client received every sent message exactly once, all in the same
    /// strictly increasing id order, each sender's messages in the order sent. Returns that common view.
    /// </summary>
    public async Task<IReadOnlyList<ChatFrame>> AssertEveryoneReceivedEverythingAsync(TimeSpan within)
    {
        var sent = Sent;
        Assert.True(await WaitForReceivedAsync(sent, within),
            $"every client receives all {sent} messages; got {string.Join(", ", _members.Select(m => m.ReceivedCount))}");
        var first = ReceivedBy(0);
        for (var c = 0; c < Count; c++)
        {
            var view = ReceivedBy(c);
            Assert.Equal(sent, view.Count);
            Assert.Equal(first, view);
            Assert.True(view.Zip(view.Skip(1)).All(p => p.First.Id < p.Second.Id), "ids strictly increase");
            var own = view.Select(f => f.Comment).Where(text => text.StartsWith($"c{c}-", StringComparison.Ordinal));
            Assert.Equal(SentBy(c), own);
        }
        return first;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopSending.CancelAsync();
        foreach (var member in _members) member.Client.Abort();
        await Task.WhenAll(_members.SelectMany(m => new[] { m.Sending ?? Task.CompletedTask, m.Receiving ?? Task.CompletedTask }));
        foreach (var member in _members) await member.Client.DisposeAsync();
        _stopSending.Dispose();
    }

    private sealed class Member(int index, RawClient client)
    {
        public readonly RawClient Client = client;
        public readonly List<string> Sent = [];
        public readonly List<ChatFrame> Received = [];
        public int Errors;
        public Task? Sending;
        public Task? Receiving;

        public int SentCount
        {
            get
            {
                lock (Sent) return Sent.Count;
            }
        }

        public int ReceivedCount
        {
            get
            {
                lock (Received) return Received.Count;
            }
        }

        public async Task SendAsync(TimeSpan interval, int perClient, CancellationToken stop)
        {
            try
            {
                for (var n = 0; n < perClient && !stop.IsCancellationRequested; n++)
                {
                    var text = $"c{index}-{n}";
                    var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { messageType = "chatMessage", comment = text }));
                    await Client.SendAsync(RawClient.Frame(0x1, json), TimeSpan.FromSeconds(30));
                    lock (Sent) Sent.Add(text);
                    await Task.Delay(interval, stop);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The server went away (the fault under test) or the load was stopped.
            }
        }

        public async Task ReceiveAsync()
        {
            try
            {
                while (true)
                {
                    JsonElement json;
                    try
                    {
                        json = await Client.ReceiveAsync();
                    }
                    catch (TimeoutException)
                    {
                        // A quiet spell, not an end: the client waits as long as the connection lives.
                        continue;
                    }
                    if (json.GetProperty("messageType").GetString() == "chatMessage")
                    {
                        lock (Received) Received.Add(ChatFrame.From(json));
                    }
                    else Interlocked.Increment(ref Errors);
                }
            }
            catch (WebSocketException) when (Client.CloseCode is not null)
            {
                await AnswerCloseAsync();
            }
            catch (Exception e) when (e is WebSocketException or SocketException or ObjectDisposedException)
            {
                // Connection gone: what was received is kept.
            }
        }

        // As a browser does (RFC 6455 section 5.5.1), so that the server need not wait for its close timeout.
        private async Task AnswerCloseAsync()
        {
            try
            {
                await Client.SendCloseAsync(1000);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
