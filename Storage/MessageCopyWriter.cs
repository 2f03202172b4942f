using Npgsql;
using NpgsqlTypes;

namespace Chat.Storage;

/// <summary>
/// Writes messages into <c>chat_messages</c> with one binary COPY, in the shape of Npgsql's
/// <see cref="NpgsqlBinaryImporter"/>: a lifecycle state, each call checked against it, <see cref="CompleteAsync"/>
/// returns the row count, and disposing without completing cancels the COPY (the caller's transaction then rolls back).
/// </summary>
internal sealed class MessageCopyWriter : IAsyncDisposable
{
    internal const string CopyCommand =
        "COPY chat_messages (id, username, comment, created_at) FROM STDIN (FORMAT BINARY)";

    // StartRow, then id, username, comment, created_at.
    private const int RowSteps = 5;

    private readonly NpgsqlBinaryImporter _importer;
    private State _state = State.Ready;

    private MessageCopyWriter(NpgsqlBinaryImporter importer)
    {
        _importer = importer;
    }

    private readonly record struct Row(long Id, ReadOnlyMemory<byte> Username, ReadOnlyMemory<byte> Comment, DateTime CreatedAt);

    private enum State
    {
        Ready,
        Completed,
        Cancelled,
        Disposed,
    }

    public static async Task<MessageCopyWriter> BeginAsync(
        NpgsqlConnection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var importer = await connection.BeginBinaryImportAsync(CopyCommand, cancellationToken);
        importer.Timeout = timeout;
        return new MessageCopyWriter(importer);
    }

    /// <summary>
    /// Writes one row. Text goes out as the UTF-8 bytes it already is (no decoding), and while the row fits in Npgsql's
    /// write buffer every step completes synchronously: no async state machine, so no allocation per row.
    /// </summary>
    public Task WriteAsync(long id, NewMessage message, CancellationToken cancellationToken)
    {
        CheckReady();
        try
        {
            var row = new Row(
                id, StoredText.Sanitize(message.Username), StoredText.Sanitize(message.Comment), StoredTime.Normalize(message.Timestamp));
            for (var step = 0; step < RowSteps; step++)
            {
                var pending = WriteStep(step, row, cancellationToken);
                if (!pending.IsCompletedSuccessfully)
                {
                    return FinishRowAsync(pending, step, row, cancellationToken);
                }
            }

            return Task.CompletedTask;
        }
        catch
        {
            _state = State.Cancelled;
            throw;
        }
    }

    /// <summary>Ends the COPY; the rows are then part of the caller's transaction. Returns the number of rows.</summary>
    public async Task<ulong> CompleteAsync(CancellationToken cancellationToken)
    {
        CheckReady();
        try
        {
            var rows = await _importer.CompleteAsync(cancellationToken);
            _state = State.Completed;
            return rows;
        }
        catch
        {
            _state = State.Cancelled;
            throw;
        }
    }

    /// <summary>Without <see cref="CompleteAsync"/> first, cancels the COPY so that none of its rows is stored.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_state == State.Disposed)
        {
            return;
        }

        _state = State.Disposed;
        await _importer.DisposeAsync();
    }

    private Task WriteStep(int step, in Row row, CancellationToken cancellationToken) => step switch
    {
        0 => _importer.StartRowAsync(cancellationToken),
        1 => _importer.WriteAsync(row.Id, NpgsqlDbType.Bigint, cancellationToken),
        2 => _importer.WriteAsync(row.Username, NpgsqlDbType.Text, cancellationToken),
        3 => _importer.WriteAsync(row.Comment, NpgsqlDbType.Text, cancellationToken),
        _ => _importer.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken),
    };

    // The slow path, when Npgsql flushes its buffer to the socket mid-row: the rest of the row is awaited.
    private async Task FinishRowAsync(Task pending, int step, Row row, CancellationToken cancellationToken)
    {
        try
        {
            await pending;
            for (step++; step < RowSteps; step++)
            {
                await WriteStep(step, row, cancellationToken);
            }
        }
        catch
        {
            _state = State.Cancelled;
            throw;
        }
    }

    private void CheckReady()
    {
        switch (_state)
        {
            case State.Ready:
                return;
            case State.Completed:
                throw new InvalidOperationException("The COPY is already complete; begin a new one.");
            case State.Cancelled:
                throw new InvalidOperationException("The COPY failed and was cancelled; roll back the transaction.");
            default:
                throw new ObjectDisposedException(nameof(MessageCopyWriter));
        }
    }
}
