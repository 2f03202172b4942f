using System.Diagnostics;
using System.Net.Security;
using System.Threading.Channels;
using Chat.Pipeline.Http;
using Chat.Pipeline.Sessions;
using Chat.Reactor;
using Microsoft.Extensions.Logging;

namespace Chat.Pipeline.Tls;

/// <summary>
/// One connection's TLS: an <see cref="SslStream"/> over the reactor's ciphertext. Its read loop turns ciphertext into
/// plaintext events for parse-header; as the connection's <see cref="IOutboundTransform"/> it encrypts everything the
/// pipeline sends. Until the handshake is done nothing the pipeline sends can leave (there are no keys yet), and a
/// close before then closes the socket without last words.
/// Sends are corked: frames queued while an encryption is pending leave in one TLS record (up to 16 KiB each), as
/// Kestrel's pipe before its SslStream does, so a busy connection pays one record per batch rather than per frame.
/// </summary>
internal sealed class TlsSession : IOutboundTransform, IThreadPoolWorkItem
{
    /// <summary>TLS record content type 22: every TLS client starts with a handshake record (RFC 8446 section 5.1).</summary>
    private const byte HandshakeRecord = 0x16;

    /// <summary>One TLS record's largest plaintext (RFC 8446 section 5.1): a whole record fits one event.</summary>
    private const int PlaintextBufferSize = 16 * 1024;

    /// <summary>Corked plaintext past which the sender encrypts at once instead of waiting for the pool thread.</summary>
    private const int InlineEncryptBytes = 64 * 1024;

    private readonly Connection _connection;
    private readonly CiphertextStream _ciphertext;
    private readonly SslStream _ssl;
    private readonly ILogger _logger;
    private readonly object _writeLock = new();
    private readonly TaskCompletionSource _peerGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _authenticated;
    private bool _finished;
    private bool _sawFirstByte;
    // --- under _writeLock: plaintext waiting for the next encryption ---
    private byte[]? _corked;
    private int _corkedLength;
    private bool _encryptQueued;
    /// <summary>The queue's answer to the last encryption: Dropped means a record is missing and the peer must go.</summary>
    private SendResult _last = SendResult.Accepted;

    public TlsSession(Connection connection, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
        _ciphertext = new CiphertextStream(connection);
        _ssl = new SslStream(_ciphertext, leaveInnerStreamOpen: true);
    }

    /// <summary>Decrypt-stage thread: ciphertext the reactor received (a rented buffer, now owned here).</summary>
    public void Feed(byte[] buffer, int count)
    {
        if (!_sawFirstByte)
        {
            _sawFirstByte = true;
            if (buffer[0] != HandshakeRecord)
            {
                BufferPool.Shared.Return(buffer);
                RefusePlainHttp();
                return;
            }
        }
        _ciphertext.Feed(buffer, count);
    }

    /// <summary>Decrypt-stage thread: the reactor reported the connection closed; the read loop ends.</summary>
    public void PeerClosed()
    {
        _ciphertext.Complete();
        _peerGone.TrySetResult();
    }

    /// <summary>
    /// Handshake, then plaintext out until the peer's close_notify, FIN or an error; then closes our side, waits for the
    /// reactor's Closed and reports it last, so parse-header sees Opened, Received…, Closed in order.
    /// </summary>
    public async Task RunAsync(SslServerAuthenticationOptions options, ChannelWriter<TransportEvent> output)
    {
        try
        {
            await _ssl.AuthenticateAsServerAsync(options, CancellationToken.None).ConfigureAwait(false);
            lock (_writeLock) _authenticated = true;
            // The handshake had the head deadline (the sweeper cuts a trickled one); the request head gets its own, so
            // a slow handshake on a loaded box does not eat the time of the first request.
            if (_connection.Tag is Session session) session.Progress.AwaitingHeadSince = Stopwatch.GetTimestamp();
        }
        catch (Exception e)
        {
            // As in the read loop: any failure of the handshake is this connection's alone.
            TlsLog.HandshakeFailed(_logger, _connection.Id, _connection.RemoteEndPoint.ToString(), e.Message);
        }
        if (_authenticated) await ReadPlaintextAsync(output).ConfigureAwait(false);
        _connection.Close();
        await _peerGone.Task.ConfigureAwait(false);
        lock (_writeLock) Finish();
        await _ssl.DisposeAsync().ConfigureAwait(false);
        await _ciphertext.DisposeAsync().ConfigureAwait(false);
        await output.WriteAsync(TransportEvent.Closed(_connection)).ConfigureAwait(false);
    }

    private async Task ReadPlaintextAsync(ChannelWriter<TransportEvent> output)
    {
        try
        {
            while (true)
            {
                // Wait for a record without holding a buffer: idle connections hold none.
                _ciphertext.ReaderEntering();
                try
                {
                    await _ssl.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                }
                finally
                {
                    _ciphertext.ReaderReturned();
                }
                _ciphertext.ReaderEntering();
                var buffer = BufferPool.Shared.Rent(PlaintextBufferSize);
                int read;
                try
                {
                    read = await _ssl.ReadAsync(buffer).ConfigureAwait(false);
                }
                catch
                {
                    BufferPool.Shared.Return(buffer);
                    throw;
                }
                finally
                {
                    _ciphertext.ReaderReturned();
                }
                if (read == 0)
                {
                    BufferPool.Shared.Return(buffer);
                    return;
                }
                await output.WriteAsync(TransportEvent.Received(_connection, buffer, read)).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Not only IOException and AuthenticationException: OpenSSL's own failures come as types of their own (one
            // seen: CryptographicException "application data after close notify"). Whatever it is, this connection's
            // read ends here and RunAsync still closes it and reports Closed.
            TlsLog.ReadFailed(_logger, _connection.Id, e.Message);
        }
    }

    public SendResult Send(Connection connection, SharedBuffer buffer, int offset, int count)
    {
        lock (_writeLock)
        {
            if (!_authenticated || _finished || connection.IsClosing) return SendResult.Closed;
            // A record the queue refused leaves a gap in the record sequence: the owner drops this peer.
            if (_last is SendResult.Dropped or SendResult.Closed) return _last;
            Cork(buffer.Span.Slice(offset, count));
            if (_corkedLength >= InlineEncryptBytes) EncryptCorked();
            else if (!_encryptQueued)
            {
                _encryptQueued = true;
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
            return _last;
        }
    }

    /// <summary>Pool thread: encrypts what was corked since it was queued.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        lock (_writeLock)
        {
            _encryptQueued = false;
            if (!_finished) EncryptCorked();
        }
    }

    public void Close(Connection connection, SharedBuffer? lastWords, int offset, int count, bool discardQueued)
    {
        try
        {
            lock (_writeLock)
            {
                // Discarding queued records would leave a gap in the record sequence, so a dropped peer gets no last words.
                if (_authenticated && !_finished && !discardQueued && !connection.IsClosing && _last is not (SendResult.Dropped or SendResult.Closed))
                {
                    if (lastWords is not null) Cork(lastWords.Span.Slice(offset, count));
                    EncryptCorked();
                    SendCloseNotify();
                }
                Finish();
            }
        }
        finally
        {
            // Whatever the TLS layer did, the socket closes: the reactor's thread calls this when the peer's FIN arrives.
            connection.CloseRaw(discardQueued: discardQueued);
        }
    }

    private void Cork(ReadOnlySpan<byte> plaintext)
    {
        var needed = _corkedLength + plaintext.Length;
        if (_corked is null || _corked.Length < needed)
        {
            var larger = BufferPool.Shared.Rent(Math.Max(needed, PlaintextBufferSize));
            if (_corked is not null)
            {
                _corked.AsSpan(0, _corkedLength).CopyTo(larger);
                BufferPool.Shared.Return(_corked);
            }
            _corked = larger;
        }
        plaintext.CopyTo(_corked.AsSpan(_corkedLength));
        _corkedLength = needed;
    }

    /// <summary>Under the lock: one write of everything corked (SslStream cuts it into records of 16 KiB at most).</summary>
    private void EncryptCorked()
    {
        if (_corkedLength == 0) return;
        _ciphertext.BeginWrite();
        try
        {
            _ssl.Write(_corked!, 0, _corkedLength);
            _last = _ciphertext.EndWrite();
        }
        catch (Exception)
        {
            // IOException, ObjectDisposedException, or OpenSSL's own failure (Interop.OpenSsl.SslException, a type
            // of its own that derives from Exception alone): the session cannot encrypt any more, the owner closes it.
            _last = SendResult.Closed;
        }
        // Nothing is held between batches: an idle connection keeps no buffer.
        _corkedLength = 0;
        BufferPool.Shared.Return(_corked!);
        _corked = null;
    }

    /// <summary>Under the lock: nothing more is encrypted; corked plaintext is let go.</summary>
    private void Finish()
    {
        _finished = true;
        if (_corked is null) return;
        BufferPool.Shared.Return(_corked);
        _corked = null;
        _corkedLength = 0;
    }

    /// <summary>
    /// The close_notify alert (RFC 8446 section 6.1), so the peer knows the stream was not truncated; left out when the
    /// read loop may be decrypting at that moment (the WebSocket close frame, when there is one, already said it all).
    /// What the peer sent before its FIN is still decrypted and delivered afterwards.
    /// </summary>
    private void SendCloseNotify() => _ciphertext.RunUnlessDecrypting(static ssl =>
    {
        try
        {
            // Our stream's writes complete at once, so this completes before it returns.
            var shutdown = ssl.ShutdownAsync();
            if (!shutdown.IsCompleted) _ = shutdown.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
        catch (Exception)
        {
            // The peer is gone or the session failed (OpenSSL's failures are Interop.OpenSsl.SslException, a type that
            // derives from Exception alone): closing the socket without the alert is all that is left.
        }
    }, _ssl);

    /// <summary>Plain HTTP on the TLS port: say so in plain text, as nginx does, and close.</summary>
    private void RefusePlainHttp()
    {
        TlsLog.PlainHttp(_logger, _connection.Id, _connection.RemoteEndPoint.ToString());
        var answer = HttpAnswer.Write(400, HttpAnswer.TextPlain, "this port speaks TLS: use https:// or wss://\n"u8,
            keepAlive: false, headOnly: false, default, out var length);
        lock (_writeLock) Finish();
        _connection.CloseRaw(answer, 0, length);
        answer.Release();
        _ciphertext.Complete();
    }
}
