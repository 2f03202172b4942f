namespace Chat.Pipeline.Tls;

/// <summary>The certificate or key file cannot be used; the message is one line for the operator.</summary>
public sealed class TlsCredentialsException(string message) : Exception(message);
