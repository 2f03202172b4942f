namespace Chat.Pipeline.Codecs;

/// <summary>What the server agreed to in the handshake for permessage-deflate (RFC 7692); default: not negotiated.</summary>
internal readonly struct PerMessageDeflateAgreement
{
    public PerMessageDeflateAgreement(byte serverMaxWindowBits)
    {
        Accepted = true;
        ServerMaxWindowBits = serverMaxWindowBits;
    }

    public bool Accepted { get; }

    /// <summary>The offer's server_max_window_bits (8..15), echoed in the answer; 0 when the offer had none (15 applies).</summary>
    public byte ServerMaxWindowBits { get; }

    /// <summary>
    /// Longest uncompressed payload the server may send compressed to this peer. The server's compressor always uses a
    /// 32 KiB window; a message of at most 2^N bytes cannot refer further back than 2^N, so it honours any smaller
    /// server_max_window_bits without a compressor per window size. Longer messages go to such a peer uncompressed.
    /// </summary>
    public int MaxCompressedPayload => !Accepted ? 0 : ServerMaxWindowBits is 0 or 15 ? int.MaxValue : 1 << ServerMaxWindowBits;
}
