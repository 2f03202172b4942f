using Chat.LoadTests.Infrastructure;

namespace Chat.LoadTests.Targets;

/// <summary>What a run talks to: its server nodes, the PostgreSQL database if any, and what to tear down afterwards.</summary>
internal sealed class Deployment(string label, IReadOnlyList<TargetNode> nodes, string? postgres,
    IReadOnlyList<ServerProcess> processes, PostgresCluster? cluster, IReadOnlyList<string> temporaryDirectories) : IAsyncDisposable
{
    public string Label { get; } = label;

    public IReadOnlyList<TargetNode> Nodes { get; } = nodes;

    /// <summary>The database the nodes share, when the run uses PostgreSQL (ingest counts its rows there).</summary>
    public string? Postgres { get; } = postgres;

    /// <summary>The postmaster of the throwaway cluster the runner started; null for a database given with --postgres.</summary>
    public int? DatabaseProcessId => cluster?.ProcessId;

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes) await process.DisposeAsync();
        if (cluster is not null) await cluster.DisposeAsync();
        foreach (var directory in temporaryDirectories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a dying process: the temp directory is left to the OS.
            }
        }
    }
}
