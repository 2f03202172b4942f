using Chat.Reactor;
using Chat.UnitTests.Infrastructure;

namespace Chat.UnitTests.EndToEnd;

/// <summary>The end-to-end suite on PostgreSQL, through the portable Socket backend instead of epoll.</summary>
[Collection("Postgres")]
public sealed class SocketsPostgresChatEndToEndTests(PostgresFixture fixture) : PostgresChatEndToEndTests(fixture)
{
    private protected override ReactorBackend Backend => ReactorBackend.Sockets;
}
