namespace Chat.Storage;

/// <summary>Options shared by both stores. Immutable; checked by <see cref="Validate"/> (the stores call it).</summary>
public sealed class StoreOptions
{
    /// <summary>Prune messages older than this many days. Default 0: off.</summary>
    public int RetentionDays { get; init; }

    /// <summary>Keep only the newest this many messages. Default 0: off.</summary>
    public long RetentionMaxRows { get; init; }

    /// <summary>How often the background pruning runs when retention is on. Default 1 minute; must be positive.</summary>
    public TimeSpan RetentionInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Timeout of one database command, and of waiting for a database lock. Default 30 s; whole seconds, at least 1.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Identifies this server process among the nodes sharing a database: commit notifications carry it, so a node can
    /// tell its own commits from the others'. Default: random per process.
    /// </summary>
    public string InstanceId { get; init; } = Guid.NewGuid().ToString("N")[..16];

    internal bool RetentionEnabled => RetentionDays > 0 || RetentionMaxRows > 0;

    // Npgsql and Microsoft.Data.Sqlite both take whole seconds.
    internal int CommandTimeoutSeconds => (int)CommandTimeout.TotalSeconds;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (RetentionDays < 0)
        {
            throw new ArgumentException($"RetentionDays must be 0 (off) or a positive number of days, not {RetentionDays}.");
        }

        if (RetentionMaxRows < 0)
        {
            throw new ArgumentException($"RetentionMaxRows must be 0 (off) or a positive number of rows, not {RetentionMaxRows}.");
        }

        if (RetentionInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"RetentionInterval must be positive, not {RetentionInterval}.");
        }

        if (string.IsNullOrWhiteSpace(InstanceId) || InstanceId.Contains(':'))
        {
            throw new ArgumentException($"InstanceId must be non-empty and hold no ':', not '{InstanceId}'.");
        }

        if (CommandTimeout < TimeSpan.FromSeconds(1) || CommandTimeout.Ticks % TimeSpan.TicksPerSecond != 0
            || CommandTimeout.TotalSeconds > int.MaxValue)
        {
            throw new ArgumentException($"CommandTimeout must be a whole number of seconds, at least 1, not {CommandTimeout}.");
        }
    }
}
