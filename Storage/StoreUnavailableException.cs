namespace Chat.Storage;

/// <summary>The database cannot be reached or opened; the message is one line, fit for a startup error.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
