using System.Diagnostics;
using System.Text.Json;
using Chat.UnitTests.Conformance;
using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Cluster;

/// <summary>What a node answers about presence: GET /presence and the room's <c>online</c> in GET /rooms.</summary>
internal static class NodePresence
{
    /// <summary>The contract's bound for a dead node, and the wait for anything presence does.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Polls the node until GET /presence lists <paramref name="names"/> and GET /rooms counts <paramref name="online"/>.</summary>
    public static async Task WaitAsync(ServerProcess node, string room, string[] names, int online)
    {
        var clock = Stopwatch.StartNew();
        (string[] Names, int Online) seen = ([], -1);
        while (clock.Elapsed < Deadline)
        {
            var presence = await GetJsonAsync(node, "/presence?room=" + room);
            var rooms = await GetJsonAsync(node, "/rooms");
            var mine = rooms.EnumerateArray().SingleOrDefault(r => r.GetProperty("room").GetString() == room);
            seen = ([.. presence.EnumerateArray().Select(e => e.GetString()!)],
                mine.ValueKind == JsonValueKind.Object ? mine.GetProperty("online").GetInt32() : 0);
            if (seen.Names.SequenceEqual(names) && seen.Online == online) return;
            await Task.Delay(100);
        }
        Assert.Fail($"{node.EndPoint}: /presence [{string.Join(", ", seen.Names)}] online {seen.Online}, wanted [{string.Join(", ", names)}] online {online}");
    }

    private static async Task<JsonElement> GetJsonAsync(ServerProcess node, string target)
    {
        await using var client = await RawClient.ConnectAsync(node.EndPoint);
        var response = await client.RequestAsync(RawClient.Get(target));
        Assert.Equal(200, response.Status);
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.Clone();
    }
}
