using System.Diagnostics;
using System.Text;
using Chat.LoadTests.Measurement;
using Chat.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Chat.LoadTests.Scenarios;

/// <summary>
/// What the ingest run is measured against, each on the same database after the server's run: a bare binary COPY
/// loop (the ceiling), the server's own store driven without the server, and one autocommit INSERT per message.
/// </summary>
internal static class IngestComparisons
{
    internal readonly record struct LoopResult(int Rows, TimeSpan Elapsed)
    {
        public double Rate => Elapsed > TimeSpan.Zero ? Rows / Elapsed.TotalSeconds : 0;
    }

    internal static async Task<long> CountAsync(string database, string table, CancellationToken cancellation)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    private static async Task<NpgsqlConnection> TableAsync(string database, string table, CancellationToken cancellation)
    {
        var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand(
            $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id bigint PRIMARY KEY, username text NOT NULL, comment text NOT NULL, created_at timestamptz NOT NULL)",
            connection);
        await command.ExecuteNonQueryAsync(cancellation);
        return connection;
    }

    /// <summary>The same rows in batches of <paramref name="batch"/>, one binary COPY (one transaction) each.</summary>
    internal static async Task<LoopResult> CopyCeilingAsync(string database, int rows, int batch, string comment, StepStats step, CancellationToken cancellation)
    {
        await using var connection = await TableAsync(database, "ingest_copy_ceiling", cancellation);
        var clock = Stopwatch.StartNew();
        for (var first = 0; first < rows; first += batch)
        {
            var started = Stopwatch.GetTimestamp();
            await using (var import = await connection.BeginBinaryImportAsync(
                "COPY ingest_copy_ceiling (id, username, comment, created_at) FROM STDIN (FORMAT BINARY)", cancellation))
            {
                for (var id = first; id < Math.Min(rows, first + batch); id++)
                {
                    await import.StartRowAsync(cancellation);
                    await import.WriteAsync((long)id, NpgsqlTypes.NpgsqlDbType.Bigint, cancellation);
                    await import.WriteAsync("ingest", NpgsqlTypes.NpgsqlDbType.Text, cancellation);
                    await import.WriteAsync(comment, NpgsqlTypes.NpgsqlDbType.Text, cancellation);
                    await import.WriteAsync(DateTime.UtcNow, NpgsqlTypes.NpgsqlDbType.TimestampTz, cancellation);
                }

                await import.CompleteAsync(cancellation);
            }

            step.Ok(Connector.Micros(started));
        }

        return new LoopResult(rows, clock.Elapsed);
    }

    /// <summary>One prepared autocommit INSERT per row, for at most <paramref name="limit"/>.</summary>
    internal static async Task<LoopResult> InsertBaselineAsync(string database, int rows, string comment, TimeSpan limit, StepStats step, CancellationToken cancellation)
    {
        await using var connection = await TableAsync(database, "ingest_insert_baseline", cancellation);
        await using var command = new NpgsqlCommand("INSERT INTO ingest_insert_baseline (id, username, comment, created_at) VALUES ($1, $2, $3, $4)", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, TypedValue = "ingest" });
        command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, TypedValue = comment });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        await command.PrepareAsync(cancellation);
        var clock = Stopwatch.StartNew();
        var done = 0;
        while (done < rows && clock.Elapsed < limit)
        {
            ((NpgsqlParameter<long>)command.Parameters[0]).TypedValue = done;
            ((NpgsqlParameter<DateTime>)command.Parameters[3]).TypedValue = DateTime.UtcNow;
            var started = Stopwatch.GetTimestamp();
            await command.ExecuteNonQueryAsync(cancellation);
            step.Ok(Connector.Micros(started));
            done++;
        }

        return new LoopResult(done, clock.Elapsed);
    }

    /// <summary>
    /// The server's <see cref="PostgresMessageStore"/> alone, in a database of its own: the same rows in batches of
    /// <paramref name="batch"/>, each one append (id allocation, batch key, COPY, commit), as the persist stage calls it.
    /// </summary>
    internal static async Task<LoopResult> StoreAloneAsync(string database, int rows, int batch, string comment, StepStats step, CancellationToken cancellation)
    {
        const string name = "ingest_store_alone";
        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync(cancellation);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}", admin);
            await drop.ExecuteNonQueryAsync(cancellation);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync(cancellation);
        }

        var connection = new NpgsqlConnectionStringBuilder(database) { Database = name }.ConnectionString;
        await using var store = new PostgresMessageStore(connection, new StoreOptions(), NullLogger<PostgresMessageStore>.Instance);
        await store.InitializeAsync(cancellation);
        var username = Encoding.UTF8.GetBytes("ingest");
        var text = Encoding.UTF8.GetBytes(comment);
        var messages = new NewMessage[batch];
        var clock = Stopwatch.StartNew();
        for (var first = 0; first < rows; first += batch)
        {
            var count = Math.Min(batch, rows - first);
            var now = DateTime.UtcNow;
            for (var i = 0; i < count; i++) messages[i] = new NewMessage(username, text, now);
            var started = Stopwatch.GetTimestamp();
            await store.AppendAsync(Guid.NewGuid(), RoomName.General, messages.AsMemory(0, count), cancellation);
            step.Ok(Connector.Micros(started));
        }

        return new LoopResult(rows, clock.Elapsed);
    }
}
