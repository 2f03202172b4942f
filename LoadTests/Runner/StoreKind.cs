namespace Chat.LoadTests.Runner;

/// <summary>Which store a started server uses.</summary>
internal enum StoreKind
{
    /// <summary>The embedded SQLite store in a fresh temporary CHAT_DATA_DIR (the baseline: none).</summary>
    Embedded,

    /// <summary>PostgreSQL: <c>--postgres</c>, or a throwaway cluster started by the runner.</summary>
    Postgres,
}
