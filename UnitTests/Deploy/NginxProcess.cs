using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Chat.UnitTests.Tls;

namespace Chat.UnitTests.Deploy;

/// <summary>
/// Debian's nginx running deploy/nginx.conf as shipped, with only what is site-specific replaced: the listen
/// addresses (loopback, free ports), the certificate, the upstream nodes, and the pid and log files (in the test's
/// directory). Each replacement must match the shipped file exactly as often as expected, so that a changed
/// deploy/nginx.conf fails here rather than being tested in a shape it no longer has.
/// </summary>
internal sealed partial class NginxProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly string _directory;

    private NginxProcess(Process process, string directory, int httpPort, int httpsPort)
    {
        _process = process;
        _directory = directory;
        HttpPort = httpPort;
        HttpsPort = httpsPort;
    }

    public int HttpPort { get; }

    public int HttpsPort { get; }

    public Uri HttpsUri(string path) => new($"https://127.0.0.1:{HttpsPort}{path}");

    public Uri WebSocketUri(string query) => new($"wss://127.0.0.1:{HttpsPort}/websocket?{query}");

    /// <summary>nginx's error log, for the message of a failed assertion.</summary>
    public string ErrorLog => File.Exists(Path.Combine(_directory, "error.log")) ? File.ReadAllText(Path.Combine(_directory, "error.log")) : "";

    public static async Task<NginxProcess> StartAsync(string directory, TestCertificate certificate, IReadOnlyList<IPEndPoint> nodes)
    {
        var httpPort = FreePort();
        var httpsPort = FreePort();
        var config = Path.Combine(directory, "nginx.conf");
        File.WriteAllText(config, Render(File.ReadAllText(RepositoryPaths.Deploy("nginx.conf")), directory, httpPort, httpsPort, certificate, nodes));
        var start = new ProcessStartInfo(NginxRequirement.ExecutablePath)
        {
            ArgumentList = { "-p", directory, "-e", Path.Combine(directory, "error.log"), "-c", config, "-g", "daemon off;" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var nginx = new NginxProcess(process, directory, httpPort, httpsPort);
        try
        {
            await nginx.WaitUntilServingAsync(certificate);
            return nginx;
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
    }

    /// <summary>The shipped configuration with the site-specific values of this test.</summary>
    public static string Render(string shipped, string directory, int httpPort, int httpsPort, TestCertificate certificate, IReadOnlyList<IPEndPoint> nodes)
    {
        if (nodes.Count != 2) throw new ArgumentException("deploy/nginx.conf names two upstream nodes", nameof(nodes));
        var text = shipped;
        text = Replace(text, PidLine(), $"pid {directory}/nginx.pid;");
        text = Replace(text, ErrorLogLine(), $"error_log {directory}/error.log warn;");
        text = Replace(text, AccessLogLine(), $"access_log {directory}/access.log;");
        text = Replace(text, PlainListen(), $"listen 127.0.0.1:{httpPort};");
        text = Replace(text, TlsListen(), $"listen 127.0.0.1:{httpsPort} ssl;");
        text = Replace(text, CertificateLine(), $"ssl_certificate {certificate.CertificatePath};");
        text = Replace(text, KeyLine(), $"ssl_certificate_key {certificate.KeyPath};");
        text = Replace(text, FirstNode(), $"server {nodes[0]} ");
        text = Replace(text, SecondNode(), $"server {nodes[1]} ");
        return text;
    }

    private static string Replace(string text, Regex pattern, string replacement)
    {
        var count = pattern.Count(text);
        if (count != 1) throw new InvalidDataException($"deploy/nginx.conf: expected one match of /{pattern}/, found {count}");
        return pattern.Replace(text, replacement.Replace("$", "$$", StringComparison.Ordinal));
    }

    private async Task WaitUntilServingAsync(TestCertificate certificate)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, chain, errors) => certificate.Validate(this, presented, chain, errors) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"nginx exited with {_process.ExitCode}: {ErrorLog}");
            try
            {
                using var response = await http.GetAsync(HttpsUri("/healthz"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"nginx did not serve /healthz within {StartTimeout.TotalSeconds} s: {ErrorLog}");
            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^pid\s+\S+;", RegexOptions.Multiline)]
    private static partial Regex PidLine();

    [GeneratedRegex(@"^error_log\s+[^;]+;", RegexOptions.Multiline)]
    private static partial Regex ErrorLogLine();

    [GeneratedRegex(@"access_log\s+[^;]+;")]
    private static partial Regex AccessLogLine();

    [GeneratedRegex(@"listen\s+80;")]
    private static partial Regex PlainListen();

    [GeneratedRegex(@"listen\s+443\s+ssl;")]
    private static partial Regex TlsListen();

    [GeneratedRegex(@"ssl_certificate\s+\S+;")]
    private static partial Regex CertificateLine();

    [GeneratedRegex(@"ssl_certificate_key\s+\S+;")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"server\s+127\.0\.0\.1:8081\s")]
    private static partial Regex FirstNode();

    [GeneratedRegex(@"server\s+127\.0\.0\.1:8082\s")]
    private static partial Regex SecondNode();
}
