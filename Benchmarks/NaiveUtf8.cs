namespace Chat.Benchmarks;

/// <summary>The textbook validator (Unicode table 3-7), one byte per step: the baseline a vectorized one must beat.</summary>
internal static class NaiveUtf8
{
    public static bool IsValid(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var b = text[i++];
            if (b < 0x80) continue;
            int more;
            byte low = 0x80, high = 0xBF;
            switch (b)
            {
                case >= 0xC2 and <= 0xDF: more = 1; break;
                case 0xE0: more = 2; low = 0xA0; break;
                case 0xED: more = 2; high = 0x9F; break;
                case >= 0xE1 and <= 0xEF: more = 2; break;
                case 0xF0: more = 3; low = 0x90; break;
                case >= 0xF1 and <= 0xF3: more = 3; break;
                case 0xF4: more = 3; high = 0x8F; break;
                default: return false;
            }

            for (; more > 0; more--, low = 0x80, high = 0xBF)
            {
                if (i == text.Length || text[i] < low || text[i] > high) return false;
                i++;
            }
        }

        return true;
    }
}
