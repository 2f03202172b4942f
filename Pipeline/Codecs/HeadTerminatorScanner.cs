namespace Chat.Pipeline.Codecs;

/// <summary>
/// Finds the blank line that ends a request head, across chunks. A line ends with LF, optionally preceded by CR
/// (RFC 9112 section 2.2 lets a recipient accept a lone LF), so CRLF CRLF, LF LF and their mixes all end the head.
/// Each chunk is fed once; the scanner keeps how much of the terminator it has seen.
/// </summary>
internal struct HeadTerminatorScanner
{
    private State _state;

    private enum State : byte
    {
        InLine,
        AfterLineFeed,
        AfterLineFeedReturn,
    }

    /// <summary>Index in chunk just past the terminator (the scanner then resets), or -1 if not complete yet.</summary>
    public int Scan(ReadOnlySpan<byte> chunk)
    {
        int i = 0;
        while (i < chunk.Length)
        {
            if (_state == State.InLine)
            {
                // Inside a line only the LF matters, so jump to it with the vectorized search.
                int lineFeed = chunk[i..].IndexOf((byte)'\n');
                if (lineFeed < 0)
                {
                    return -1;
                }

                i += lineFeed + 1;
                _state = State.AfterLineFeed;
                continue;
            }

            byte b = chunk[i++];
            if (b == '\n')
            {
                _state = State.InLine;
                return i;
            }

            _state = b == '\r' && _state == State.AfterLineFeed ? State.AfterLineFeedReturn : State.InLine;
        }

        return -1;
    }

    public void Reset() => _state = State.InLine;
}
