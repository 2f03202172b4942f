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

    private readonly NpgsqlBinaryImporter _importer;
    private State _state = State.Ready;

    private MessageCopyWriter(NpgsqlBinaryImporter importer)
    {
        _importer = importer;
    }

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

    /// <summary>Writes one row. Text goes out as the UTF-8 bytes it already is: no decoding, no per-row allocation.</summary>
    public async Task WriteAsync(long id, NewMessage message, CancellationToken cancellationToken)
    {
        CheckReady();
        try
        {
            await _importer.StartRowAsync(cancellationToken);
            await _importer.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
            await _importer.WriteAsync(StoredText.Sanitize(message.Username), NpgsqlDbType.Text, cancellationToken);
            await _importer.WriteAsync(StoredText.Sanitize(message.Comment), NpgsqlDbType.Text, cancellationToken);
            await _importer.WriteAsync(StoredTime.Normalize(message.Timestamp), NpgsqlDbType.TimestampTz, cancellationToken);
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
