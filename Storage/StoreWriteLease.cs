namespace Chat.Storage;

/// <summary>One append slot held by one append; disposing it lets the next append of that slot in.</summary>
internal readonly struct StoreWriteLease(SemaphoreSlim gate) : IDisposable
{
    public void Dispose() => gate.Release();
}
