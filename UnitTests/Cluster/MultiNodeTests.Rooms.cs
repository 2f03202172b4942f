using System.Text.Json;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;

namespace Chat.UnitTests.Cluster;

public sealed partial class MultiNodeTests
{
    [PostgresFact]
    public async Task Clients_in_three_rooms_on_two_nodes_receive_exactly_their_rooms_messages_in_one_order()
    {
        var (_, nodes) = await StartNodesAsync(2);
        try
        {
            string[] rooms = ["red", "green", RoomNameGeneral];
            var clients = new List<(string Room, RawClient Client)>();
            foreach (var room in rooms)
            {
                foreach (var node in nodes)
                {
                    var query = room == RoomNameGeneral ? $"name=g{clients.Count}" : $"room={room}&name={room}{clients.Count}";
                    clients.Add((room, await RawClient.OpenWebSocketAsync(node.WebSocketUri(query))));
                }
            }
            const int perClient = 15;
            await Task.WhenAll(clients.Select(async (c, index) =>
            {
                for (var i = 0; i < perClient; i++) await c.Client.SendChatAsync($"{c.Room}-{index}-{i}");
            }));

            foreach (var room in rooms)
            {
                var members = clients.Where(c => c.Room == room).Select(c => c.Client).ToArray();
                var views = await Task.WhenAll(members.Select(m => m.ReceiveChatsAsync(2 * perClient, TimeSpan.FromSeconds(30))));
                Assert.Equal(views[0], views[1]);
                Assert.Equal(Enumerable.Range(1, 2 * perClient).Select(i => (long)i), views[0].Select(f => f.Id));
                Assert.All(views[0], f => Assert.StartsWith(room + "-", f.Comment));
            }
            foreach (var (_, client) in clients) Assert.True(await client.IsQuietAsync(TimeSpan.FromMilliseconds(200)), "nothing of another room");
            foreach (var (_, client) in clients) await client.DisposeAsync();
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task A_signal_reaches_the_other_members_of_its_room_on_the_other_node_and_nobody_else()
    {
        var (_, nodes) = await StartNodesAsync(2);
        try
        {
            await using var caller = await RawClient.OpenWebSocketAsync(nodes[0].WebSocketUri("room=call&name=caller"));
            await using var callee = await RawClient.OpenWebSocketAsync(nodes[1].WebSocketUri("room=call&name=callee"));
            await using var outsider = await RawClient.OpenWebSocketAsync(nodes[1].WebSocketUri("room=other&name=outsider"));
            // Both nodes listen: a chat message of the room crosses first.
            await caller.SendChatAsync("ready");
            await caller.ReceiveAsync();
            await callee.ReceiveAsync();

            await caller.SendTextAsync("""{"messageType":"webRTC-offer","offer":{"type":"offer","sdp":"v=0"}}""");
            var offer = await callee.ReceiveAsync(TimeSpan.FromSeconds(15));
            await callee.SendTextAsync("""{"messageType":"webRTC-answer","answer":{"type":"answer","sdp":"v=0"}}""");
            var answer = await caller.ReceiveAsync(TimeSpan.FromSeconds(15));

            Assert.Equal("webRTC-offer", offer.GetProperty("messageType").GetString());
            Assert.Equal("v=0", offer.GetProperty("offer").GetProperty("sdp").GetString());
            Assert.Equal(("caller", "call"), (offer.GetProperty("username").GetString(), offer.GetProperty("room").GetString()));
            Assert.Equal("webRTC-answer", answer.GetProperty("messageType").GetString());
            Assert.Equal(("callee", "call"), (answer.GetProperty("username").GetString(), answer.GetProperty("room").GetString()));
            await outsider.SendChatAsync("outside");
            Assert.Equal("outside", (await outsider.ReceiveAsync()).GetProperty("comment").GetString());
            Assert.True(await caller.IsQuietAsync(TimeSpan.FromMilliseconds(300)), "the sender never gets its own signal");
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    private const string RoomNameGeneral = Chat.Storage.RoomName.General;
}
