using Chat.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Pipeline;

/// <summary><see cref="LiveHistoryBytesTests"/> on the embedded store, in a directory of its own.</summary>
public sealed class SqliteLiveHistoryBytesTests : LiveHistoryBytesTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"chat-bytes-{Guid.NewGuid():N}");

    protected override Task<IMessageStore> CreateStoreAsync() =>
        Task.FromResult<IMessageStore>(new SqliteMessageStore(_directory, new StoreOptions(), NullLogger<SqliteMessageStore>.Instance));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
