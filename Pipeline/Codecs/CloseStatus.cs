namespace Chat.Pipeline.Codecs;

/// <summary>Close status codes the server sends (RFC 6455 section 7.4.1, IANA registry).</summary>
internal enum CloseStatus : ushort
{
    NormalClosure = 1000,
    GoingAway = 1001,
    ProtocolError = 1002,
    UnsupportedData = 1003,
    InvalidPayloadData = 1007,
    PolicyViolation = 1008,
    MessageTooBig = 1009,
    MandatoryExtension = 1010,
    InternalServerError = 1011,
    TryAgainLater = 1013,
}
