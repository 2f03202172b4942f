namespace Chat.Server;

/// <summary>The server could not start; the message is the one line printed before exiting non-zero.</summary>
internal sealed class HostStartException(string message) : Exception(message);
