namespace Chat.LoadTests.Runner;

/// <summary>A bad command line: the message says what is wrong; the runner prints it with a pointer to --help and exits 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
