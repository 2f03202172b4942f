using Chat.UnitTests.EndToEnd;

namespace Chat.UnitTests.Faults;

/// <summary>One server process for the hostile-input tests (its memory is its own), with a short head timeout.</summary>
public sealed class HostileServer : IAsyncLifetime
{
    public const int HeadTimeoutSeconds = 2;
    private ServerProcess? _process;

    internal ServerProcess Process => _process ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _process = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["CHAT_DATA_DIR"] = Directory.CreateTempSubdirectory("chat-hostile-").FullName,
            ["CHAT_HEAD_TIMEOUT_SECONDS"] = HeadTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public async Task DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
    }

    /// <summary>Two honest clients chatting every 50 ms, joined at the current end of the history.</summary>
    internal async Task<ChatLoad> HonestPairAsync() =>
        await ChatLoad.StartAsync(Process.WebSocketUri($"since={await ServerProbe.LastIdAsync(Process.HttpUri)}"), 2, TimeSpan.FromMilliseconds(50));
}
