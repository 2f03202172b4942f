namespace Chat.Pipeline;

/// <summary>
/// A rule of the whole process no longer holds (e.g. ids from the store went backwards): no connection can be served
/// correctly any more, so the stage that finds it fails and the server exits instead of closing one connection.
/// </summary>
internal sealed class PipelineInvariantException(string message) : Exception(message);
