using Chat.LoadTests.Runner;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// History replay: one client stores N messages in a fresh room, then C clients reconnect with since= twice: inside
/// the server's replay window (served from memory, each frame with its once-compressed twin) and before it (read from
/// the store). Each client must get every message after its since= exactly once and in order; per replayed message
/// the wire bytes, server and client CPU, and replayed messages per second up to the slowest client's last message.
/// </summary>
internal sealed class ReplayScenario : Scenario
{
    internal const int DefaultMessages = 5000;
    internal const int DefaultReplay = 4000;

    // Enough messages per round (200 000 in the window) that /proc's 10 ms CPU ticks are under 1 % of the figure.
    internal const int DefaultClients = 50;

    public override string Name => "replay";

    public override string MainStep => "store replay";

    public override async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var clients = options.Clients ?? DefaultClients;
        var messages = options.Messages ?? DefaultMessages;
        var inWindow = Math.Min(options.Replay ?? DefaultReplay, Math.Min(messages, RunOptions.ServerReplayWindow));
        var commentLength = options.MessageSize ?? 64;
        // A room of its own: the window then holds this run's messages only, and ids start afresh.
        var room = $"replay-{context.RunId}";
        context.Parameter("clients", clients);
        context.Parameter("stored messages", messages);
        context.Parameter("window round: messages per client", inWindow);
        context.Parameter("store round: messages per client", messages);
        context.Parameter("comment bytes", commentLength);
        context.Parameter("room", room);
        var node = context.Deployment.Nodes[0];

        var stored = await ReplayFill.RunAsync(context, node, room, messages, commentLength);
        context.Check("every message stored", stored.Count == messages, $"{stored.Count} of {messages} came back to their sender");
        if (stored.Count < messages) return;

        var window = await ReplayRound.RunAsync(context, node, room, clients, stored, stored[^inWindow] - 1, "window ");
        ReplayRound.Report(context, window, "window: ");
        var store = await ReplayRound.RunAsync(context, node, room, clients, stored, stored[0] - 1, "store ");
        ReplayRound.Report(context, store, "store: ");
        context.Check("store round starts before the window", messages > RunOptions.ServerReplayWindow,
            $"{messages} stored, the server keeps the last {RunOptions.ServerReplayWindow} in memory");
    }
}
