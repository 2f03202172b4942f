using Chat.Reactor;

namespace Chat.UnitTests.EndToEnd;

/// <summary>The end-to-end suite on the embedded store, through the portable Socket backend instead of epoll.</summary>
public sealed class SocketsSqliteChatEndToEndTests : SqliteChatEndToEndTests
{
    private protected override ReactorBackend Backend => ReactorBackend.Sockets;
}
