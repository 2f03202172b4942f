namespace Chat.Pipeline.Codecs;

/// <summary>Result of <see cref="Utf8Validator.Validate"/>.</summary>
internal enum Utf8Status
{
    Valid,
    Invalid,
}
