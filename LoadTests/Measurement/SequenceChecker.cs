namespace Chat.LoadTests.Measurement;

/// <summary>
/// One receiver's view of numbered streams (one per sender, numbered 0, 1, 2, …): a number seen twice is a duplicate,
/// one below the highest seen so far an out-of-order arrival, and whatever was sent but never seen a loss.
/// </summary>
internal sealed class SequenceChecker
{
    private readonly Dictionary<int, Stream> _streams = [];

    public long Received { get; private set; }

    public long Duplicates { get; private set; }

    public long OutOfOrder { get; private set; }

    public void Observe(int sender, long sequence)
    {
        if (sequence < 0) throw new ArgumentOutOfRangeException(nameof(sequence), "sequence numbers start at 0");
        if (!_streams.TryGetValue(sender, out var stream)) _streams[sender] = stream = new Stream();
        if (!stream.Mark(sequence))
        {
            Duplicates++;
            return;
        }

        Received++;
        if (sequence < stream.Highest) OutOfOrder++;
        else stream.Highest = sequence;
    }

    /// <summary>Numbers below <paramref name="sentBySender"/>[s] that sender s sent and this receiver never saw.</summary>
    public long Losses(IReadOnlyDictionary<int, long> sentBySender)
    {
        long lost = 0;
        foreach (var (sender, sent) in sentBySender)
        {
            lost += sent - (_streams.TryGetValue(sender, out var stream) ? stream.CountBelow(sent) : 0);
        }

        return lost;
    }

    private sealed class Stream
    {
        private ulong[] _seen = new ulong[16];

        public long Highest { get; set; } = -1;

        /// <summary>False when already seen.</summary>
        public bool Mark(long sequence)
        {
            var word = (int)(sequence >> 6);
            if (word >= _seen.Length) Array.Resize(ref _seen, Math.Max(word + 1, _seen.Length * 2));
            var bit = 1UL << (int)(sequence & 63);
            if ((_seen[word] & bit) != 0) return false;
            _seen[word] |= bit;
            return true;
        }

        public long CountBelow(long limit)
        {
            long count = 0;
            for (long s = 0; s < limit && (s >> 6) < _seen.Length; s++)
            {
                if ((_seen[s >> 6] & (1UL << (int)(s & 63))) != 0) count++;
            }

            return count;
        }
    }
}
