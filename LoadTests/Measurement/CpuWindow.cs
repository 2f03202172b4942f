namespace Chat.LoadTests.Measurement;

/// <summary>
/// CPU time spent by the server, by this runner (the load client, or a bare comparison loop) and by the database
/// between <see cref="Start"/> and <see cref="Stop"/>, read from /proc like every other CPU figure.
/// </summary>
internal sealed class CpuWindow
{
    private readonly Func<TimeSpan> _server;
    private readonly Func<TimeSpan?> _database;
    private readonly TimeSpan _serverStart;
    private readonly TimeSpan _clientStart;
    private readonly TimeSpan? _databaseStart;

    private CpuWindow(Func<TimeSpan> server, Func<TimeSpan?> database)
    {
        _server = server;
        _database = database;
        _serverStart = server();
        _clientStart = ProcessStats.ReadSelf().Cpu;
        _databaseStart = database();
    }

    public static CpuWindow Start(Func<TimeSpan> server, Func<TimeSpan?> database) => new(server, database);

    public (TimeSpan Server, TimeSpan Client, TimeSpan? Database) Stop()
    {
        var database = _database();
        return (_server() - _serverStart, ProcessStats.ReadSelf().Cpu - _clientStart,
            database is { } end && _databaseStart is { } start ? end - start : null);
    }
}
