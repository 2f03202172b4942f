namespace Chat.Pipeline.Rooms;

/// <summary>What <see cref="SignalCodec.Classify"/> found in a client message.</summary>
internal enum SignalError : byte
{
    /// <summary>A webRTC-* message whose member is an object: relay it.</summary>
    None,
    /// <summary>Not a signalling message (or not valid JSON): the chat parser decides.</summary>
    NotASignal,
    /// <summary>A webRTC-* message whose offer/answer/candidate is missing or not a JSON object.</summary>
    MemberNotAnObject,
}
