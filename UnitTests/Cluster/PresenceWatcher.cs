using System.Diagnostics;
using System.Text.Json;
using Chat.Pipeline.Codecs;
using Chat.UnitTests.Conformance;

namespace Chat.UnitTests.Cluster;

/// <summary>A presence=1 connection and the set its frames add up to so far.</summary>
internal sealed class PresenceWatcher(RawClient client)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>Folds frames until the set is <paramref name="names"/>; returns it and the online count of that frame.</summary>
    public async Task<(string[] Names, int Online)> UntilAsync(string[] names)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < NodePresence.Deadline)
        {
            var frame = await NextAsync();
            _seen.UnionWith(Names(frame, "joined"));
            _seen.ExceptWith(Names(frame, "left"));
            var now = _seen.Order(StringComparer.Ordinal).ToArray();
            if (now.SequenceEqual(names)) return (now, frame.GetProperty("online").GetInt32());
        }
        throw new TimeoutException($"the watcher's set never became [{string.Join(", ", names)}]; it is [{string.Join(", ", _seen)}]");
    }

    private async Task<JsonElement> NextAsync()
    {
        while (true)
        {
            var frame = await client.ReadFrameAsync();
            if (frame.Opcode == Opcode.Ping) continue;
            Assert.True(frame.Opcode == Opcode.Text, $"expected a presence frame, got {frame}");
            var json = frame.Json();
            if (json.GetProperty("messageType").GetString() == "presence") return json;
        }
    }

    private static string[] Names(JsonElement frame, string member) =>
        [.. frame.GetProperty(member).EnumerateArray().Select(e => e.GetString()!)];
}
