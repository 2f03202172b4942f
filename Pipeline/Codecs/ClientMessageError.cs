namespace Chat.Pipeline.Codecs;

/// <summary>Why a client message was refused (answered with an error frame; the connection stays open).</summary>
internal enum ClientMessageError
{
    None,
    InvalidJson,
    NotAnObject,
    MissingMessageType,
    UnknownMessageType,
    MissingComment,
    CommentNotString,
    EmptyComment,
    CommentTooLong,
    CommentHasNul,
}
