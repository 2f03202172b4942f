using System.Text;
using Chat.Pipeline;
using Chat.Reactor;
using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline;

/// <summary>
/// The reader threads of /chat-history and /rooms: a row that no store should return (no username, no room name) is
/// the store's bug, answered with 500 for that request; the reader goes on. History is written by the frames' encoder, which refuses a null text
/// instead of writing it as an empty one, and its exception must not end the reader thread (and with it the process).
/// </summary>
public sealed class HistoryReaderTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_row_without_username_gets_500_and_the_next_history_request_is_answered()
    {
        var inner = new InMemoryMessageStore(new StoreOptions(), NullLogger<InMemoryMessageStore>.Instance);
        var store = new CorruptRowStore(inner);
        await store.InitializeAsync(CancellationToken.None);
        await inner.AppendAsync(Guid.NewGuid(), RoomName.General,
            new[] { new NewMessage("someone"u8.ToArray(), "stored"u8.ToArray(), DateTime.UtcNow) }, CancellationToken.None);
        await using var server = await InProcessPipelineServer.StartAsync(store, new PipelineOptions(), ReactorBackend.Epoll);
        await using var http = await RawClient.ConnectAsync(server.EndPoint);

        store.CorruptNextRead();
        var corrupt = await http.RequestAsync(RawClient.Get("/chat-history?since=0")).WaitAsync(Within);
        var next = await http.RequestAsync(RawClient.Get("/chat-history?since=0")).WaitAsync(Within);

        Assert.Equal(500, corrupt.Status);
        Assert.Equal(200, next.Status);
        Assert.Contains("\"username\":\"someone\",\"comment\":\"stored\"", Encoding.UTF8.GetString(next.Body));
    }

    [Fact]
    public async Task A_room_without_name_gets_500_from_rooms_and_the_next_rooms_request_is_answered()
    {
        var inner = new InMemoryMessageStore(new StoreOptions(), NullLogger<InMemoryMessageStore>.Instance);
        var store = new CorruptRowStore(inner);
        await store.InitializeAsync(CancellationToken.None);
        await inner.AppendAsync(Guid.NewGuid(), "elsewhere",
            new[] { new NewMessage("someone"u8.ToArray(), "stored"u8.ToArray(), DateTime.UtcNow) }, CancellationToken.None);
        await using var server = await InProcessPipelineServer.StartAsync(store, new PipelineOptions(), ReactorBackend.Epoll);
        await using var http = await RawClient.ConnectAsync(server.EndPoint);

        // /rooms is written on the reader thread too: its exception must not end that thread either.
        store.CorruptNextRead();
        var corrupt = await http.RequestAsync(RawClient.Get("/rooms")).WaitAsync(Within);
        var next = await http.RequestAsync(RawClient.Get("/rooms")).WaitAsync(Within);

        Assert.Equal(500, corrupt.Status);
        Assert.Equal(200, next.Status);
        Assert.Contains("{\"room\":\"elsewhere\",\"lastId\":1,", Encoding.UTF8.GetString(next.Body));
    }
}
