namespace Chat.Server;

/// <summary>A setting that cannot be used; the message names it and says what is expected.</summary>
internal sealed class ConfigurationException(string message) : Exception(message);
