namespace Chat.Pipeline.Codecs;

/// <summary>Fixed-width decimal fields for timestamps and dates, written without formatting machinery.</summary>
internal static class AsciiDigits
{
    /// <summary>Writes value as exactly count digits at destination[at..], zero-padded (value must fit).</summary>
    public static void Write(Span<byte> destination, int at, int value, int count)
    {
        for (int i = at + count - 1; i >= at; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
