namespace Chat.Storage;

/// <summary>How long idempotency keys (<c>chat_batches</c>) are kept, and how often old ones are deleted.</summary>
internal static class BatchKeyPolicy
{
    /// <summary>A key only has to outlive its caller's retries; an hour is far beyond any retry loop.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>Old keys are deleted after an append at most this often, keeping the cost off most appends.</summary>
    public static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);
}
