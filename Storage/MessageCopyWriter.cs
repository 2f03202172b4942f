using System.Buffers;
using Npgsql;

namespace Chat.Storage;

/// <summary>
/// Writes messages into <c>chat_messages</c> with one binary COPY, in the shape of Npgsql's
/// <see cref="NpgsqlBinaryImporter"/>: a lifecycle state, each call checked against it, <see cref="CompleteAsync"/>
/// returns the row count, and disposing without completing cancels the COPY (the caller's transaction then rolls back).
/// Rows are encoded by <see cref="BinaryCopyFormat"/> into one pooled buffer and go to a raw COPY stream a buffer at a time.
/// </summary>
internal sealed class MessageCopyWriter : IAsyncDisposable
{
    internal const string CopyCommand =
        "COPY chat_messages (room, id, username, comment, created_at) FROM STDIN (FORMAT BINARY)";

    // Big enough that a batch of short messages goes out in a few writes; a longer row grows the buffer.
    private const int BufferBytes = 64 * 1024;

    private readonly NpgsqlRawCopyStream _stream;
    private readonly byte[] _room;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
    private int _position;
    private ulong _rows;
    private State _state = State.Ready;

    private MessageCopyWriter(NpgsqlRawCopyStream stream, byte[] room)
    {
        _stream = stream;
        _room = room;
        BinaryCopyFormat.Header.CopyTo(_buffer);
        _position = BinaryCopyFormat.Header.Length;
    }

    private enum State
    {
        Ready,
        Completed,
        Cancelled,
        Disposed,
    }

    /// <param name="room">Every row of this COPY goes to this room (UTF-8 of a valid <see cref="RoomName"/>).</param>
    public static async Task<MessageCopyWriter> BeginAsync(
        NpgsqlConnection connection, byte[] room, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stream = await connection.BeginRawBinaryCopyAsync(CopyCommand, cancellationToken);
        stream.WriteTimeout = stream.ReadTimeout = (int)timeout.TotalMilliseconds;
        return new MessageCopyWriter(stream, room);
    }

    /// <summary>
    /// Writes one row. Text goes out as the UTF-8 bytes it already is (no decoding); while the row fits in the buffer
    /// the call completes synchronously without allocating.
    /// </summary>
    public Task WriteAsync(long id, NewMessage message, CancellationToken cancellationToken)
    {
        CheckReady();
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var username = StoredText.Sanitize(message.Username);
            var comment = StoredText.Sanitize(message.Comment);
            var createdAt = StoredTime.Normalize(message.Timestamp);
            if (_position + BinaryCopyFormat.RowSize(_room.Length, username.Length, comment.Length) > _buffer.Length)
            {
                return FlushThenWriteAsync(id, username, comment, createdAt, cancellationToken);
            }

            Append(id, username, comment, createdAt);
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
            if (_position + BinaryCopyFormat.Trailer.Length > _buffer.Length) await FlushAsync(cancellationToken);
            BinaryCopyFormat.Trailer.CopyTo(_buffer.AsSpan(_position));
            _position += BinaryCopyFormat.Trailer.Length;
            await FlushAsync(cancellationToken);
            // Disposing a raw COPY stream ends it and waits for PostgreSQL's verdict on the data.
            await _stream.DisposeAsync();
            _state = State.Completed;
            return _rows;
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

        var state = _state;
        _state = State.Disposed;
        try
        {
            if (state != State.Completed)
            {
                await _stream.CancelAsync();
                await _stream.DisposeAsync();
            }
        }
        catch (Exception) when (state == State.Cancelled)
        {
            // The failure was already thrown to the caller, whose connection is discarded: cleanup cannot make it worse.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Append(long id, ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> comment, DateTime createdAt)
    {
        _position += BinaryCopyFormat.WriteRow(_buffer.AsSpan(_position), _room, id, username.Span, comment.Span, createdAt);
        _rows++;
    }

    // The slow path, once a buffer is full: it goes to the stream, and a row bigger than the buffer gets a bigger one.
    private async Task FlushThenWriteAsync(long id, ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> comment, DateTime createdAt, CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
            var size = BinaryCopyFormat.RowSize(_room.Length, username.Length, comment.Length);
            if (size > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(size);
            }

            Append(id, username, comment, createdAt);
        }
        catch
        {
            _state = State.Cancelled;
            throw;
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(_buffer.AsMemory(0, _position), cancellationToken);
        _position = 0;
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
