using System.Text.Unicode;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// Incremental, fail-fast UTF-8 validation across chunks and fragments (RFC 6455 section 8.1, Unicode table 3-7).
/// Leading ASCII is skipped with a vectorized scan and the rest of each chunk goes through the BCL's vectorized
/// <see cref="Utf8.IsValid"/>; only a sequence cut by a chunk boundary runs through the byte state machine, which
/// rejects a prefix as soon as no continuation could make it valid (0xE0 0x80, 0xED 0xA0, 0xF4 0x90, ...). Once
/// invalid, it stays invalid until <see cref="Reset"/>.
/// </summary>
internal struct Utf8Validator
{
    private byte _pending;
    private byte _low;
    private byte _high;
    private bool _invalid;

    /// <summary>True when no partial sequence is pending; false at the end of a message means truncated, invalid.</summary>
    public readonly bool IsComplete => _pending == 0 && !_invalid;

    /// <summary>Validates the next chunk of a message, keeping a partial trailing sequence for the next call.</summary>
    public Utf8Status Validate(ReadOnlySpan<byte> chunk)
    {
        if (_invalid)
        {
            return Utf8Status.Invalid;
        }

        int i = 0;
        while (_pending != 0)
        {
            if (i == chunk.Length)
            {
                return Utf8Status.Valid;
            }

            if (!Step(chunk[i++]))
            {
                return Invalid();
            }
        }

        // ASCII fast path: chat text is mostly ASCII, and one vectorized scan (16 to 64 bytes a step) passes it without
        // the tail check and the decoder call; validation resumes at the first non-ASCII byte, a sequence start.
        ReadOnlySpan<byte> rest = chunk[i..];
        int nonAscii = rest.IndexOfAnyExceptInRange((byte)0x00, (byte)0x7F);
        if (nonAscii < 0)
        {
            return Utf8Status.Valid;
        }

        rest = rest[nonAscii..];
        int tail = IncompleteTailStart(rest);
        if (!Utf8.IsValid(rest[..tail]))
        {
            return Invalid();
        }

        foreach (byte b in rest[tail..])
        {
            if (!Step(b))
            {
                return Invalid();
            }
        }

        return Utf8Status.Valid;
    }

    public void Reset() => this = default;

    // Start of a trailing lead byte whose sequence does not fit in the chunk, else the chunk length.
    private static int IncompleteTailStart(ReadOnlySpan<byte> span)
    {
        int n = span.Length;
        for (int k = 1; k <= 3 && k <= n; k++)
        {
            byte b = span[n - k];
            if ((b & 0xC0) != 0x80)
            {
                int sequenceLength = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return sequenceLength > k ? n - k : n;
            }
        }

        return n;
    }

    // Well-formed sequences (Unicode table 3-7): the second byte's range depends on the lead byte, the rest are 80..BF.
    private bool Step(byte b)
    {
        if (_pending != 0)
        {
            if (b < _low || b > _high)
            {
                return false;
            }

            _pending--;
            _low = 0x80;
            _high = 0xBF;
            return true;
        }

        (_pending, _low, _high) = b switch
        {
            < 0x80 => ((byte)0, (byte)0x80, (byte)0xBF),
            >= 0xC2 and <= 0xDF => ((byte)1, (byte)0x80, (byte)0xBF),
            0xE0 => ((byte)2, (byte)0xA0, (byte)0xBF),
            0xED => ((byte)2, (byte)0x80, (byte)0x9F),
            >= 0xE1 and <= 0xEF => ((byte)2, (byte)0x80, (byte)0xBF),
            0xF0 => ((byte)3, (byte)0x90, (byte)0xBF),
            >= 0xF1 and <= 0xF3 => ((byte)3, (byte)0x80, (byte)0xBF),
            0xF4 => ((byte)3, (byte)0x80, (byte)0x8F),
            _ => ((byte)0xFF, (byte)0, (byte)0),
        };
        return _pending != 0xFF;
    }

    private Utf8Status Invalid()
    {
        _invalid = true;
        _pending = 0;
        return Utf8Status.Invalid;
    }
}
