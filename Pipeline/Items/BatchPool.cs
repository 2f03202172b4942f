using System.Collections.Concurrent;

namespace Chat.Pipeline.Items;

/// <summary>Persist rents batches, broadcast returns them: a handful circulate in steady state.</summary>
internal sealed class BatchPool
{
    private readonly ConcurrentQueue<PersistBatch> _free = new();

    public PersistBatch Rent() => _free.TryDequeue(out var batch) ? batch : new PersistBatch();

    public void Return(PersistBatch batch)
    {
        batch.Reset();
        _free.Enqueue(batch);
    }
}
