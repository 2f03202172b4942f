using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline;

/// <summary><see cref="LiveHistoryBytesTests"/> on PostgreSQL, in a database of its own in the shared cluster.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLiveHistoryBytesTests(PostgresFixture fixture) : LiveHistoryBytesTests
{
    protected override async Task<IMessageStore> CreateStoreAsync() =>
        new PostgresMessageStore(await fixture.Cluster.CreateDatabaseAsync("livehistory"), new StoreOptions(), NullLogger<PostgresMessageStore>.Instance);
}
