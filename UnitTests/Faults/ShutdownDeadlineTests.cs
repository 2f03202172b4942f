using System.Diagnostics;
using System.Globalization;
using Chat.UnitTests.EndToEnd;
using Chat.UnitTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Chat.UnitTests.Faults;

/// <summary>
/// A stopping server stops (issue 14): once it decides to exit (a stage failed) or gets SIGTERM, it exits within
/// CHAT_SHUTDOWN_TIMEOUT_SECONDS whatever its stages are doing, and its exit code says how the stop went
/// (0 clean, 1 deadline passed, 70 a stage failed). The issue saw a server that, after a stage failed, ignored
/// SIGTERM for 15 minutes.
/// </summary>
public sealed class ShutdownDeadlineTests(OwnPostgresCluster postgres, ITestOutputHelper output) : IClassFixture<OwnPostgresCluster>
{
    private const int DeadlineSeconds = 3;
    // Process exit and the signal's delivery on a busy two-core machine; the deadline itself is the server's.
    private static readonly TimeSpan ExitSlack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_server_whose_broadcast_stage_failed_exits_70_within_its_deadline_after_sigterm()
    {
        var data = Directory.CreateTempSubdirectory("chat-failed-").FullName;
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["CHAT_DATA_DIR"] = data,
            ["CHAT_SHUTDOWN_TIMEOUT_SECONDS"] = DeadlineSeconds.ToString(CultureInfo.InvariantCulture),
            ["CHAT_MAX_MESSAGES_PER_SECOND"] = "0",
        });
        await using var load = await ChatLoad.StartAsync(server.WebSocketUri(), clients: 3, TimeSpan.FromMilliseconds(5));
        Assert.True(await load.WaitForReceivedAsync(50, TimeSpan.FromSeconds(60)), "the load is flowing before the fault");

        // A real fault of the whole process: the database is wiped under the running server, so the next ids the store
        // gives are ids already delivered. No connection can be served right any more: the broadcast stage fails.
        await WipeAsync(Path.Combine(data, "chat.db"));
        Assert.True(await ChatLoad.EventuallyAsync(() => server.Output.Contains("stage broadcast failed", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
            $"the broadcast stage fails on ids that went backwards: {server.Output}");

        // Clients keep sending into the failed pipeline: its drain can never finish.
        var clock = Stopwatch.StartNew();
        var code = await server.TerminateAsync(TimeSpan.FromSeconds(60));
        var took = clock.Elapsed;
        output.WriteLine($"failed broadcast stage under load, then SIGTERM: exit {code} after {took.TotalMilliseconds:F0} ms (deadline {DeadlineSeconds} s)");
        Assert.True(code == 70, $"exit code 70 (a stage failed), got {code}: {server.Output}");
        Assert.True(took < TimeSpan.FromSeconds(DeadlineSeconds) + ExitSlack, $"exits within its {DeadlineSeconds} s deadline, took {took}");
    }

    [PostgresFact]
    public async Task A_server_waiting_on_a_paused_postgres_exits_1_within_its_deadline_after_sigterm()
    {
        var store = await postgres.Cluster.CreateDatabaseAsync("paused");
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["CHAT_POSTGRES"] = store,
            ["CHAT_SHUTDOWN_TIMEOUT_SECONDS"] = DeadlineSeconds.ToString(CultureInfo.InvariantCulture),
        });
        await using var client = await RawClient.OpenWebSocketAsync(server.WebSocketUri());
        await client.SendChatAsync("stored");
        Assert.Equal("stored", (await client.ReceiveChatsAsync(1))[0].Comment);

        // SIGSTOP: the database neither answers nor refuses, so the persist stage waits on it with no error to retry.
        var paused = PostgresProcesses(postgres.Cluster.ProcessId ?? throw new InvalidOperationException("the cluster is not running"));
        Signal("STOP", paused);
        try
        {
            await client.SendChatAsync("never stored");
            Assert.True(await client.IsQuietAsync(TimeSpan.FromSeconds(1)), "the message waits on the paused database");

            var clock = Stopwatch.StartNew();
            var code = await server.TerminateAsync(TimeSpan.FromSeconds(60));
            var took = clock.Elapsed;
            output.WriteLine($"SIGTERM with PostgreSQL paused ({paused.Count} processes): exit {code} after {took.TotalMilliseconds:F0} ms (deadline {DeadlineSeconds} s)");
            Assert.True(code == 1, $"exit code 1 (the drain did not finish), got {code}: {server.Output}");
            Assert.True(took < TimeSpan.FromSeconds(DeadlineSeconds) + ExitSlack, $"exits within its {DeadlineSeconds} s deadline, took {took}");
        }
        finally
        {
            Signal("CONT", paused);
        }
    }

    private static async Task WipeAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Default Timeout=30");
        await connection.OpenAsync();
        await using var wipe = connection.CreateCommand();
        wipe.CommandText = "BEGIN IMMEDIATE; DELETE FROM chat_messages; DELETE FROM chat_batches; UPDATE chat_rooms SET last_id = 0; COMMIT;";
        await wipe.ExecuteNonQueryAsync();
    }

    /// <summary>The postmaster and its children (backends, checkpointer, WAL writer...), from /proc.</summary>
    private static List<int> PostgresProcesses(int postmaster)
    {
        var processes = new List<int> { postmaster };
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var id)) continue;
            try
            {
                // pid (comm) state ppid ...: the name may hold spaces, so read after its closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster) processes.Add(id);
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }
        return processes;
    }

    private static void Signal(string signal, List<int> processes)
    {
        using var kill = Process.Start("kill", $"-{signal} {string.Join(' ', processes)}")!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
