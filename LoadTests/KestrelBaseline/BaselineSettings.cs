using System.Globalization;
using System.Net;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>
/// The baseline's settings, read from the same CHAT_* variables as our server (PROTOCOL.md's operations contract), so
/// the load runner starts both alike.
/// </summary>
internal sealed record BaselineSettings(IPEndPoint Listen, string? Postgres, LogLevel LogLevel, int HistorySize)
{
    /// <summary>Messages the store-less mode keeps for history and since= replay.</summary>
    public const int DefaultHistorySize = 10_000;

    /// <summary>CHAT_TLS_CERT: PEM certificate; with <see cref="TlsKey"/> Kestrel speaks TLS 1.2/1.3 (https, wss), as ours does.</summary>
    public string? TlsCertificate { get; init; }

    /// <summary>CHAT_TLS_KEY: the certificate's PEM private key.</summary>
    public string? TlsKey { get; init; }

    /// <summary>Throws <see cref="FormatException"/> with a one-line message naming the bad variable.</summary>
    public static BaselineSettings Load(Func<string, string?> environment)
    {
        var listen = environment("CHAT_LISTEN") is { Length: > 0 } text ? text.Trim() : "127.0.0.1:8080";
        var postgres = environment("CHAT_POSTGRES") is { Length: > 0 } connection ? connection : null;
        var level = LogLevel.Warning;
        if (environment("CHAT_LOG_LEVEL") is { Length: > 0 } levelText && !Enum.TryParse(levelText, ignoreCase: true, out level))
        {
            throw new FormatException($"CHAT_LOG_LEVEL must be a log level (Trace..Critical, None), got '{levelText}'");
        }

        var history = DefaultHistorySize;
        if (environment("CHAT_HISTORY_SIZE") is { Length: > 0 } historyText
            && (!int.TryParse(historyText, NumberStyles.None, CultureInfo.InvariantCulture, out history) || history < 1))
        {
            throw new FormatException($"CHAT_HISTORY_SIZE must be a positive integer, got '{historyText}'");
        }

        var certificate = environment("CHAT_TLS_CERT") is { Length: > 0 } certificateText ? certificateText : null;
        var key = environment("CHAT_TLS_KEY") is { Length: > 0 } keyText ? keyText : null;
        if ((certificate is null) != (key is null)) throw new FormatException("CHAT_TLS_CERT and CHAT_TLS_KEY must be set together");
        return new BaselineSettings(ParseEndPoint(listen), postgres, level, history) { TlsCertificate = certificate, TlsKey = key };
    }

    private static IPEndPoint ParseEndPoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port <= IPEndPoint.MaxPort)
        {
            var host = text[..colon].Trim('[', ']');
            if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return new IPEndPoint(IPAddress.Loopback, port);
            if (host is "*" or "+") return new IPEndPoint(IPAddress.Any, port);
        }

        throw new FormatException($"CHAT_LISTEN must be ADDRESS:PORT (for example 127.0.0.1:8080), got '{text}'");
    }
}
