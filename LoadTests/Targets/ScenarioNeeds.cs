namespace Chat.LoadTests.Targets;

/// <summary>What a scenario needs from its target: how many nodes, whether they share PostgreSQL, and CHAT_* defaults for started servers.</summary>
internal sealed record ScenarioNeeds(int Nodes = 1, bool Postgres = false)
{
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
