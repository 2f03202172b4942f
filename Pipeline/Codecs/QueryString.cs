using System.Globalization;
using System.Text.Unicode;

namespace Chat.Pipeline.Codecs;

/// <summary>Reads parameters of an application/x-www-form-urlencoded query (a=1&amp;b=2): '+' is space, %XX a byte.</summary>
internal static class QueryString
{
    private const int MaxInt64Chars = 20;

    /// <summary>
    /// Decodes the first parameter called name (compared byte for byte, undecoded) into destination. False when absent,
    /// when the value does not fit, holds a bad %-escape, or does not decode to valid UTF-8. A parameter without '='
    /// has the empty value.
    /// </summary>
    public static bool TryGet(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name, Span<byte> destination, out int written)
    {
        written = 0;
        return TryFind(query, name, out ReadOnlySpan<byte> encoded) && TryDecode(encoded, destination, out written);
    }

    /// <summary>True when the query has a parameter called name, whatever its value.</summary>
    public static bool Has(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name) => TryFind(query, name, out _);

    private static bool TryFind(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> encoded)
    {
        foreach (Range part in query.Split((byte)'&'))
        {
            ReadOnlySpan<byte> pair = query[part];
            int equals = pair.IndexOf((byte)'=');
            ReadOnlySpan<byte> key = equals < 0 ? pair : pair[..equals];
            if (key.SequenceEqual(name))
            {
                encoded = equals < 0 ? default : pair[(equals + 1)..];
                return true;
            }
        }

        encoded = default;
        return false;
    }

    /// <summary>False if absent or not a decimal integer in the long range (optional leading sign).</summary>
    public static bool TryGetInt64(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name, out long value)
    {
        Span<byte> buffer = stackalloc byte[MaxInt64Chars];
        value = 0;
        return TryGet(query, name, buffer, out int written)
            && long.TryParse(buffer[..written], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryDecode(ReadOnlySpan<byte> encoded, Span<byte> destination, out int written)
    {
        written = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            if (written == destination.Length)
            {
                written = 0;
                return false;
            }

            byte b = encoded[i];
            if (b == '+')
            {
                b = (byte)' ';
            }
            else if (b == '%')
            {
                if (i + 2 >= encoded.Length || !TryHex(encoded[i + 1], out int high) || !TryHex(encoded[i + 2], out int low))
                {
                    written = 0;
                    return false;
                }

                b = (byte)((high << 4) | low);
                i += 2;
            }

            destination[written++] = b;
        }

        if (!Utf8.IsValid(destination[..written]))
        {
            written = 0;
            return false;
        }

        return true;
    }

    private static bool TryHex(byte b, out int value)
    {
        value = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
