using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// A named client behaviour with its load simulation (NBomber's scenario): it connects, sends, receives and asserts
/// through the <see cref="ScenarioContext"/>, recording into named steps.
/// </summary>
internal abstract class Scenario
{
    /// <summary>Unmeasured load before a measured one (fanout, ingest), unless <c>--warmup</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultWarmup = TimeSpan.FromSeconds(3);

    public abstract string Name { get; }

    /// <summary>The step the live progress and the charts follow.</summary>
    public abstract string MainStep { get; }

    public virtual ScenarioNeeds Needs(RunOptions options) => new();

    public abstract Task RunAsync(ScenarioContext context);

    public static Scenario Create(string name) => name switch
    {
        "fanout" => new FanoutScenario(),
        "ingest" => new IngestScenario(),
        "connections" => new ConnectionsScenario(),
        "churn" => new ChurnScenario(),
        "slow-consumer" => new SlowConsumerScenario(),
        "cross-node" => new CrossNodeScenario(),
        "soak" => new SoakScenario(),
        "room-ingest" => new RoomIngestScenario(),
        "replay" => new ReplayScenario(),
        _ => throw new UsageException($"unknown scenario '{name}'"),
    };
}
