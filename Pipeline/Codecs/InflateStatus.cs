namespace Chat.Pipeline.Codecs;

/// <summary>What <see cref="Inflater"/> made of a compressed message.</summary>
internal enum InflateStatus : byte
{
    /// <summary>All input was taken; the output so far is the message.</summary>
    Done,
    /// <summary>The message inflates to more than the output may hold (1009).</summary>
    TooBig,
    /// <summary>Not a valid deflate stream (1007).</summary>
    Invalid,
}
