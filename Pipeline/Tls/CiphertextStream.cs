using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Chat.Reactor;

namespace Chat.Pipeline.Tls;

/// <summary>
/// The stream an <see cref="System.Net.Security.SslStream"/> sits on: reads return the ciphertext the reactor received
/// (fed in as its rented buffers, returned to the pool once consumed), writes queue ciphertext on the connection as it
/// is. Asynchronous reads only; writes complete at once, because queuing never blocks.
/// </summary>
internal sealed class CiphertextStream(Connection connection) : Stream
{
    private readonly Channel<ArraySegment<byte>> _received = Channel.CreateUnbounded<ArraySegment<byte>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private ArraySegment<byte> _current;
    private SendResult _worst;
    // --- under _gate: whether the SslStream reading us may be inside OpenSSL ---
    private readonly object _gate = new();
    private bool _readerMayDecrypt;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Takes ownership of a buffer rented from <see cref="BufferPool.Shared"/>.</summary>
    public void Feed(byte[] buffer, int count)
    {
        if (!_received.Writer.TryWrite(new ArraySegment<byte>(buffer, 0, count))) BufferPool.Shared.Return(buffer);
    }

    /// <summary>The peer is gone: reads return 0 once what was fed is consumed.</summary>
    public void Complete() => _received.Writer.TryComplete();

    /// <summary>
    /// The session's read loop is about to call the SslStream, which may decrypt what it already buffered without
    /// asking for more. Waits while <see cref="RunUnlessDecrypting"/> runs.
    /// </summary>
    public void ReaderEntering()
    {
        lock (_gate) _readerMayDecrypt = true;
    }

    /// <summary>The session's read loop got control back from the SslStream: no decryption is running.</summary>
    public void ReaderReturned()
    {
        lock (_gate) _readerMayDecrypt = false;
    }

    /// <summary>
    /// Runs <paramref name="action"/> if no decryption is running, keeping one from starting meanwhile, and skips it
    /// while one may be. .NET does not serialise OpenSSL's SSL_shutdown with SSL_read on the same session, and that
    /// race threw from SSL_shutdown, once on the reactor's thread, which ended the process.
    /// </summary>
    public void RunUnlessDecrypting<TState>(Action<TState> action, TState state)
    {
        lock (_gate)
        {
            if (!_readerMayDecrypt) action(state);
        }
    }

    /// <summary>Starts counting the queue's answers for one encrypted send.</summary>
    public void BeginWrite() => _worst = SendResult.Accepted;

    /// <summary>The worst answer of the queue since <see cref="BeginWrite"/> (Closed before Dropped before Backpressure).</summary>
    public SendResult EndWrite() => _worst;

    /// <summary>
    /// A zero-length read waits for data without taking any, so that an idle connection holds no buffer
    /// (<see cref="System.Net.Security.SslStream"/> passes its own zero-byte reads down).
    /// </summary>
    // Pooled: a connection waits for ciphertext on every read, and the state machine would otherwise be boxed each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        // Waiting here for ciphertext, the SslStream is not decrypting.
        lock (_gate) _readerMayDecrypt = false;
        while (_current.Count == 0)
        {
            if (_current.Array is { } consumed)
            {
                BufferPool.Shared.Return(consumed);
                _current = default;
            }
            if (_received.Reader.TryRead(out var next))
            {
                _current = next;
                continue;
            }
            if (!await _received.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) return 0;
        }
        // A zero-byte read only waits: it hands over nothing to decrypt.
        if (!destination.IsEmpty) ReaderEntering();
        var take = Math.Min(destination.Length, _current.Count);
        _current.AsSpan(0, take).CopyTo(destination.Span);
        _current = _current.Slice(take);
        return take;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("the TLS session reads asynchronously only");

    public override void Write(ReadOnlySpan<byte> bytes)
    {
        var copy = SharedBuffer.Rent(bytes.Length);
        bytes.CopyTo(copy.Span);
        var result = connection.SendRaw(copy, 0, bytes.Length);
        copy.Release();
        if (Rank(result) > Rank(_worst)) _worst = result;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        Write(bytes.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Returns every buffer still held; called once the peer is gone and nothing reads any more.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _received.Writer.TryComplete();
            if (_current.Array is { } held) BufferPool.Shared.Return(held);
            _current = default;
            while (_received.Reader.TryRead(out var left)) BufferPool.Shared.Return(left.Array!);
        }
        base.Dispose(disposing);
    }

    private static int Rank(SendResult result) => result switch
    {
        SendResult.Accepted => 0,
        SendResult.Backpressure => 1,
        SendResult.Dropped => 2,
        _ => 3,
    };
}
