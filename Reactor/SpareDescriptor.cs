using Microsoft.Win32.SafeHandles;

namespace Chat.Reactor;

/// <summary>
/// One descriptor (/dev/null) held in reserve. When accept fails with EMFILE the backlog's head would wait there
/// forever; releasing the spare lets the transport accept that connection and close it at once, so the peer learns
/// now instead of timing out, and then the spare is taken again (libuv's and nginx's idiom). Not thread-safe: one
/// accept loop uses it.
/// </summary>
internal sealed class SpareDescriptor : IDisposable
{
    private SafeFileHandle? _handle;

    public SpareDescriptor() => Take();

    /// <summary>True while the spare is held (it may not be when the limit was already reached when retaking it).</summary>
    public bool Held => _handle is not null;

    /// <summary>Frees the descriptor for one accept-and-close; <see cref="Take"/> must follow.</summary>
    public void Release()
    {
        _handle?.Dispose();
        _handle = null;
    }

    /// <summary>Takes the descriptor again; stays released when none is free (the next shed retries).</summary>
    public void Take()
    {
        if (_handle is not null || OperatingSystem.IsWindows()) return;
        try
        {
            _handle = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
        }
        catch (IOException)
        {
            _handle = null;
        }
        catch (UnauthorizedAccessException)
        {
            _handle = null;
        }
    }

    public void Dispose() => Release();
}
