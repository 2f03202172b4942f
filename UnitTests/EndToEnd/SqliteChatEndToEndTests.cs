namespace Chat.UnitTests.EndToEnd;

/// <summary>The end-to-end suite on the embedded store (each test its own data directory).</summary>
public class SqliteChatEndToEndTests : ChatEndToEndTests
{
    private protected override Task<string?> NewStoreAsync() => Task.FromResult<string?>(null);
}
