using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Chat.UnitTests.Pipeline;

/// <summary>Counts the log entries written, by event id, for tests of how much a server logs.</summary>
internal sealed class CountingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentDictionary<int, int> _counts = new();

    public int CountOf(int eventId) => _counts.GetValueOrDefault(eventId);

    public ILogger CreateLogger(string categoryName) => new Counter(_counts);

    public void Dispose()
    {
    }

    private sealed class Counter(ConcurrentDictionary<int, int> counts) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            counts.AddOrUpdate(eventId.Id, 1, static (_, count) => count + 1);
    }
}
