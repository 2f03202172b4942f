using System.Buffers.Binary;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// Incremental server-side WebSocket frame decoder (RFC 6455 section 5): a state machine over partial input that keeps
/// the header bytes it has seen, hands out payload as slices of the caller's input (still masked), and enters a
/// terminal error state on the first protocol violation. Checks run as early as the bytes allow: RSV, opcode and
/// fragmentation rules on the first byte, masking and control length on the second, size limits once the length is
/// known, so an oversized frame is refused before any of its payload is read.
/// </summary>
internal partial struct FrameDecoder
{
    private const int MaxControlPayload = 125;

    private readonly long _maxFramePayload;
    private readonly long _maxMessagePayload;
    private readonly bool _compressionAllowed;
    private State _state;
    private byte _first;
    private int _pending;
    private ulong _length;
    private uint _mask;
    private long _remaining;
    private long _messageLength;
    private string? _errorReason;

    /// <summary>Server side: every client frame must be masked.</summary>
    /// <param name="maxFramePayload">Largest payload of one frame, in bytes; larger frames fail with 1009.</param>
    /// <param name="maxMessagePayload">Largest payload of one message summed over its fragments, in bytes; 1009.</param>
    /// <param name="compressionAllowed">permessage-deflate was negotiated: RSV1 may mark a message's first frame.</param>
    public FrameDecoder(long maxFramePayload, long maxMessagePayload, bool compressionAllowed = false)
    {
        _maxFramePayload = maxFramePayload;
        _maxMessagePayload = maxMessagePayload;
        _compressionAllowed = compressionAllowed;
    }

    private enum State : byte
    {
        FirstByte,
        SecondByte,
        ExtendedLength,
        MaskKey,
        Payload,
        FrameEnd,
        Failed,
    }

    /// <summary>The header of the current frame; valid from the <see cref="FrameDecodeStatus.Header"/> result on.</summary>
    public FrameHeader Header { get; private set; }

    /// <summary>Offset of the last returned payload slice within the frame payload (the mask phase).</summary>
    public long PayloadOffset { get; private set; }

    /// <summary>The close status to send once <see cref="FrameDecodeStatus.Error"/> was returned.</summary>
    public CloseStatus Error { get; private set; }

    /// <summary>Why the decoder failed (a static string, fit for a close frame reason); empty before any error.</summary>
    public readonly string ErrorReason => _errorReason ?? string.Empty;

    /// <summary>
    /// True from the header of a Text/Binary frame with FIN = 0 up to the header of the continuation frame with FIN = 1.
    /// </summary>
    public bool InFragmentedMessage { get; private set; }

    /// <summary>
    /// Text or Binary: the opcode of the data message the current (or last) data frame belongs to, so a continuation
    /// frame's payload can be routed by it. Set by the first frame of every data message.
    /// </summary>
    public Opcode MessageOpcode { get; private set; }

    /// <summary>
    /// Consumes input and reports one event. Call again with <c>input[consumed..]</c> until
    /// <see cref="FrameDecodeStatus.NeedMoreData"/> or <see cref="FrameDecodeStatus.Error"/>.
    /// </summary>
    public FrameDecodeStatus Decode(ReadOnlySpan<byte> input, out int consumed, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        switch (_state)
        {
            case State.Payload:
                if (input.IsEmpty)
                {
                    consumed = 0;
                    return FrameDecodeStatus.NeedMoreData;
                }

                int take = (int)Math.Min(_remaining, input.Length);
                payload = input[..take];
                PayloadOffset = Header.PayloadLength - _remaining;
                _remaining -= take;
                if (_remaining == 0)
                {
                    _state = State.FrameEnd;
                }

                consumed = take;
                return FrameDecodeStatus.Payload;
            case State.FrameEnd:
                _state = State.FirstByte;
                consumed = 0;
                return FrameDecodeStatus.FrameEnd;
            case State.Failed:
                consumed = input.Length;
                return FrameDecodeStatus.Error;
            default:
                return DecodeHeader(input, out consumed);
        }
    }

    private FrameDecodeStatus DecodeHeader(ReadOnlySpan<byte> input, out int consumed)
    {
        if (_state == State.FirstByte && input.Length >= 2)
        {
            int length7 = input[1] & 0x7F;
            int headerLength = length7 == 127 ? 14 : length7 == 126 ? 8 : 6;
            if (input.Length >= headerLength)
            {
                return DecodeWholeHeader(input, headerLength, out consumed);
            }
        }

        int i = 0;
        while (i < input.Length)
        {
            byte b = input[i++];
            switch (_state)
            {
                case State.FirstByte:
                    if (!AcceptFirstByte(b))
                    {
                        return Failed(input, out consumed);
                    }

                    _state = State.SecondByte;
                    break;
                case State.SecondByte:
                    if (!AcceptSecondByte(b))
                    {
                        return Failed(input, out consumed);
                    }

                    int length7 = b & 0x7F;
                    _length = 0;
                    if (length7 >= 126)
                    {
                        _pending = length7 == 126 ? 2 : 8;
                        _state = State.ExtendedLength;
                    }
                    else
                    {
                        _length = (ulong)length7;
                        if (!AcceptLength())
                        {
                            return Failed(input, out consumed);
                        }

                        StartMaskKey();
                    }

                    break;
                case State.ExtendedLength:
                    _length = (_length << 8) | b;
                    if (--_pending == 0)
                    {
                        if (!AcceptLength())
                        {
                            return Failed(input, out consumed);
                        }

                        StartMaskKey();
                    }

                    break;
                default:
                    _mask |= (uint)b << (8 * (4 - _pending));
                    if (--_pending == 0)
                    {
                        CompleteHeader();
                        consumed = i;
                        return FrameDecodeStatus.Header;
                    }

                    break;
            }
        }

        consumed = i;
        return FrameDecodeStatus.NeedMoreData;
    }

    // The common case: the whole header is in this read, so read it in place without the per-byte states.
    private FrameDecodeStatus DecodeWholeHeader(ReadOnlySpan<byte> input, int headerLength, out int consumed)
    {
        if (!AcceptFirstByte(input[0]) || !AcceptSecondByte(input[1]))
        {
            return Failed(input, out consumed);
        }

        _length = headerLength switch
        {
            6 => (ulong)(input[1] & 0x7F),
            8 => BinaryPrimitives.ReadUInt16BigEndian(input[2..]),
            _ => BinaryPrimitives.ReadUInt64BigEndian(input[2..]),
        };
        if (!AcceptLength())
        {
            return Failed(input, out consumed);
        }

        _mask = BinaryPrimitives.ReadUInt32LittleEndian(input[(headerLength - 4)..]);
        CompleteHeader();
        consumed = headerLength;
        return FrameDecodeStatus.Header;
    }

    private void StartMaskKey()
    {
        _mask = 0;
        _pending = 4;
        _state = State.MaskKey;
    }

    private void CompleteHeader()
    {
        bool fin = (_first & 0x80) != 0;
        var opcode = (Opcode)(_first & 0x0F);
        long length = (long)_length;
        Header = new FrameHeader(fin, opcode, masked: true, _mask, length, compressed: (_first & 0x40) != 0);
        PayloadOffset = 0;
        _remaining = length;
        _state = length == 0 ? State.FrameEnd : State.Payload;
        if (opcode is Opcode.Text or Opcode.Binary)
        {
            MessageOpcode = opcode;
            _messageLength = length;
            InFragmentedMessage = !fin;
        }
        else if (opcode == Opcode.Continuation)
        {
            _messageLength += length;
            InFragmentedMessage = !fin;
        }
    }

    // The one way into the error state (as Netty's protocolViolation): remember why, discard the rest of the input.
    private bool Fail(CloseStatus status, string reason)
    {
        _state = State.Failed;
        Error = status;
        _errorReason = reason;
        return false;
    }

    private static FrameDecodeStatus Failed(ReadOnlySpan<byte> input, out int consumed)
    {
        consumed = input.Length;
        return FrameDecodeStatus.Error;
    }
}
