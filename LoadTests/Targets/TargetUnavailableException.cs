namespace Chat.LoadTests.Targets;

/// <summary>The target cannot be started or reached; the message says why. The runner exits 1 with it.</summary>
internal sealed class TargetUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
