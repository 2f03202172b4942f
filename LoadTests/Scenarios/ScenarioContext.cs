using System.Globalization;
using Chat.LoadTests.Measurement;
using Chat.LoadTests.Reports;
using Chat.LoadTests.Runner;
using Chat.LoadTests.Targets;

namespace Chat.LoadTests.Scenarios;

/// <summary>What a running scenario sees: its options and target, named steps to record into, and where its figures and checks go.</summary>
internal sealed class ScenarioContext(RunOptions options, Deployment deployment, CancellationToken cancellation)
{
    private readonly Lock _lock = new();
    private readonly List<StepStats> _steps = [];
    private readonly List<Figure> _figures = [];
    private readonly List<Check> _checks = [];
    private readonly List<KeyValuePair<string, string>> _parameters = [];
    private int _clients;

    public RunOptions Options { get; } = options;

    public Deployment Deployment { get; } = deployment;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>Tags this run's messages, so that receivers ignore anything else on the server.</summary>
    public int RunId { get; init; } = Random.Shared.Next(1, int.MaxValue);

    public int Clients => Volatile.Read(ref _clients);

    /// <summary>The server's resources sampled once a second, for scenarios that watch them (soak); empty otherwise.</summary>
    public IReadOnlyList<ResourceSample> Resources { get; set; } = [];

    public IReadOnlyList<StepStats> Steps
    {
        get
        {
            lock (_lock) return [.. _steps];
        }
    }

    public IReadOnlyList<Figure> Figures
    {
        get
        {
            lock (_lock) return [.. _figures];
        }
    }

    public IReadOnlyList<Check> Checks
    {
        get
        {
            lock (_lock) return [.. _checks];
        }
    }

    public IReadOnlyList<KeyValuePair<string, string>> Parameters
    {
        get
        {
            lock (_lock) return [.. _parameters];
        }
    }

    /// <summary>The step of that name, created on first use (steps report in creation order).</summary>
    public StepStats Step(string name)
    {
        lock (_lock)
        {
            var step = _steps.Find(s => s.Name == name);
            if (step is null) _steps.Add(step = new StepStats(name));
            return step;
        }
    }

    public void ClientConnected() => Interlocked.Increment(ref _clients);

    public void ClientGone() => Interlocked.Decrement(ref _clients);

    private string? _firstConnectError;

    /// <summary>"; first failure: …" when a handshake failed, else empty: said beside a check that not every client connected.</summary>
    public string FirstConnectError
    {
        get
        {
            lock (_lock) return _firstConnectError is { } error ? "; first failure: " + error : "";
        }
    }

    public void ConnectFailed(Exception error)
    {
        lock (_lock) _firstConnectError ??= $"{error.GetType().Name}: {error.Message}";
    }

    public void Figure(string name, double value, string unit)
    {
        lock (_lock) _figures.Add(new Figure(name, value, unit));
    }

    public void Check(string name, bool passed, string detail)
    {
        lock (_lock) _checks.Add(new Check(name, passed, detail));
    }

    public void Parameter(string name, object value)
    {
        lock (_lock) _parameters.Add(new(name, Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
    }

    /// <summary>Server CPU time and RSS summed over the nodes the runner started (zero for --url targets).</summary>
    public ProcessSample ServerSample()
    {
        var cpu = TimeSpan.Zero;
        long rss = 0, writeCalls = 0;
        foreach (var node in Deployment.Nodes)
        {
            if (node.ProcessId is not { } id) continue;
            var sample = ProcessStats.Read(id);
            cpu += sample.Cpu;
            rss += sample.RssBytes;
            writeCalls += sample.WriteCalls;
        }

        return new ProcessSample(cpu, rss, writeCalls);
    }

    /// <summary>CPU of the throwaway PostgreSQL cluster (postmaster and live backends); null when the runner did not start it.</summary>
    public TimeSpan? DatabaseCpu() =>
        ProcessStats.Available && Deployment.DatabaseProcessId is { } id ? ProcessStats.ReadTreeCpu(id) : null;

    public bool ServerMeasurable => ProcessStats.Available && Deployment.Nodes.Any(n => n.ProcessId is not null);
}
