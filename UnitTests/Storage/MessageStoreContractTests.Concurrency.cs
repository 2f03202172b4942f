using Chat.Storage;
using Chat.UnitTests.Infrastructure;
using Xunit;

namespace Chat.UnitTests.Storage;

public abstract partial class MessageStoreContractTests
{
    [StoreFact]
    public async Task Concurrent_appenders_on_one_instance_never_duplicate_an_id_and_a_reader_never_sees_a_gap()
    {
        var store = await OpenAsync();

        await AssertConcurrentAppendsAreDenseAsync([store, store], store);
    }

    /// <summary>Two writers append batches at once while a reader follows: ids dense, unique, seen in order.</summary>
    protected static async Task AssertConcurrentAppendsAreDenseAsync(IMessageStore[] writers, IMessageStore reader)
    {
        const int batchesPerWriter = 40;
        using var done = new CancellationTokenSource();

        var readerTask = Task.Run(async () =>
        {
            long seen = 0;
            var reads = 0;
            while (!done.IsCancellationRequested || reads == 0)
            {
                var page = await reader.ReadAfterAsync(seen, 1000, CancellationToken.None);
                foreach (var message in page)
                {
                    Assert.Equal(seen + 1, message.Id);
                    seen = message.Id;
                }

                reads++;
            }

            return seen;
        });

        var writerTasks = writers.Select((store, w) => Task.Run(async () =>
        {
            var firstIds = new List<(long FirstId, int Count)>();
            for (var b = 0; b < batchesPerWriter; b++)
            {
                var count = 1 + ((b + w) % 5);
                firstIds.Add((await store.AppendAsync(Guid.NewGuid(), Batch(count, $"w{w}b{b}_"), CancellationToken.None), count));
            }

            return firstIds;
        })).ToArray();

        var allocations = (await Task.WhenAll(writerTasks)).SelectMany(x => x).ToList();
        await done.CancelAsync();
        await readerTask;

        var ids = allocations.SelectMany(a => Enumerable.Range(0, a.Count).Select(i => a.FirstId + i)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => (long)i), ids);
        var stored = await reader.ReadAfterAsync(0, 10_000, CancellationToken.None);
        Assert.Equal(ids, stored.Select(m => m.Id));
    }
}
