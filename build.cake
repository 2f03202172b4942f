// Build script (Cake 7, plain C#: no #tool/#addin downloads). Targets: Build, Test, Run, LoadTest, Bench, Fuzz, Publish.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Xml.Linq;

var target = Argument("target", "Build");
var configuration = Argument("configuration", "Release");
var root = MakeAbsolute(Directory(".")).FullPath;
var artifacts = $"{root}/artifacts";

// Runs a program with inherited stdio; returns its exit code. SIGINT/SIGTERM sent to us are forwarded to it, so that
// "./build.sh --target=Run" stops the server gracefully when asked to.
int Run(string program, string arguments, IDictionary<string, string> environment = null)
{
    var start = new ProcessStartInfo(program, arguments) { UseShellExecute = false, WorkingDirectory = root };
    if (environment != null) foreach (var pair in environment) start.Environment[pair.Key] = pair.Value;
    using var process = Process.Start(start);
    void Forward(PosixSignalContext context)
    {
        context.Cancel = true;
        if (!process.HasExited) Process.Start("kill", $"-{(context.Signal == PosixSignal.SIGINT ? "INT" : "TERM")} {process.Id}")?.WaitForExit();
    }
    using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Forward);
    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Forward);
    process.WaitForExit();
    return process.ExitCode;
}

void MustRun(string program, string arguments, IDictionary<string, string> environment = null)
{
    var code = Run(program, arguments, environment);
    if (code != 0) throw new Exception($"{program} {arguments} exited with {code}");
}

// The browser tests drive Debian's chromium through Playwright, which is never allowed to download a browser of its
// own; a fresh machine gets the package here. Under CI=true a missing browser is an error; elsewhere the tests skip
// with a loud reason.
void EnsureChromium()
{
    const string chromium = "/usr/bin/chromium";
    // The TLS round-trip test speaks wss with Debian's python3-websockets; it comes with the browser.
    const string pythonWebSockets = "/usr/lib/python3/dist-packages/websockets/__init__.py";
    if (System.IO.File.Exists(chromium) && System.IO.File.Exists(pythonWebSockets)) return;
    var ci = string.Equals(EnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
    if (OperatingSystem.IsLinux() && System.IO.File.Exists("/usr/bin/apt-get"))
    {
        Information($"{chromium} is missing: installing Debian's chromium for the browser tests");
        // CI runs as root; a developer's machine may need sudo, which -n keeps from waiting for a password.
        var asRoot = Environment.UserName == "root";
        var quiet = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        int Apt(string arguments)
        {
            try { return asRoot ? Run("apt-get", arguments, quiet) : Run("sudo", $"-n apt-get {arguments}", quiet); }
            catch (System.ComponentModel.Win32Exception) { return -1; }
        }
        const string options = "-qq -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300";
        if (Apt($"update {options}") == 0) Apt($"install -y --no-install-recommends {options} chromium python3-websockets");
    }
    if (System.IO.File.Exists(chromium)) return;
    var reason = $"{chromium} is missing and could not be installed (apt-get install -y chromium)";
    if (ci) throw new Exception($"{reason}: the browser tests cannot run under CI");
    Warning($"{reason}: the browser tests will be skipped");
}

// The deployment tests run Debian's nginx (in front of two nodes) and systemd-analyze (verify of the unit file);
// installed like chromium above, with the same rules: under CI=true a missing one is an error.
void EnsureDebianPackage(string executable, string package, string tests)
{
    if (System.IO.File.Exists(executable)) return;
    var ci = string.Equals(EnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
    if (OperatingSystem.IsLinux() && System.IO.File.Exists("/usr/bin/apt-get"))
    {
        Information($"{executable} is missing: installing Debian's {package} for {tests}");
        var asRoot = Environment.UserName == "root";
        var quiet = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        int Apt(string arguments)
        {
            try { return asRoot ? Run("apt-get", arguments, quiet) : Run("sudo", $"-n apt-get {arguments}", quiet); }
            catch (System.ComponentModel.Win32Exception) { return -1; }
        }
        const string options = "-qq -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300";
        if (Apt($"update {options}") == 0) Apt($"install -y --no-install-recommends {options} {package}");
    }
    if (System.IO.File.Exists(executable)) return;
    var reason = $"{executable} is missing and could not be installed (apt-get install -y {package})";
    if (ci) throw new Exception($"{reason}: {tests} cannot run under CI");
    Warning($"{reason}: {tests} will be skipped");
}

// The one version of the release: <Version> in Directory.Build.props.
string ReleaseVersion() =>
    XDocument.Load($"{root}/Directory.Build.props").Descendants("Version").Single().Value.Trim();

Task("Build")
    .Does(() => MustRun("dotnet", $"build {root}/Chat.slnx -c {configuration} -nologo"));

// The release tarball: artifacts/release/chat-server-<version>-linux-x64.tar.gz, one top folder of the same name holding
// the start script, lib/ (the server, self-contained: it carries its .NET runtime), wwwroot/, README.md, docs/ and
// deploy/. UnitTests/Deploy/ReleaseTarballTests.cs unpacks and runs this file, so Test depends on this target.
Task("Publish")
    .IsDependentOn("Build")
    .Does(() =>
{
    var name = $"chat-server-{ReleaseVersion()}-linux-x64";
    var release = $"{artifacts}/release";
    var stage = $"{release}/{name}";
    var tarball = $"{release}/{name}.tar.gz";
    if (System.IO.Directory.Exists(stage)) System.IO.Directory.Delete(stage, true);
    if (System.IO.File.Exists(tarball)) System.IO.File.Delete(tarball);
    MustRun("dotnet", $"publish {root}/ChatServer/ChatServer.csproj -c {configuration} -r linux-x64 --self-contained -nologo -p:DebugType=none -o {stage}/lib");
    System.IO.Directory.Move($"{stage}/lib/wwwroot", $"{stage}/wwwroot");
    CopyDirectory($"{root}/docs", $"{stage}/docs");
    CopyDirectory($"{root}/deploy", $"{stage}/deploy");
    System.IO.File.Move($"{stage}/deploy/chat-server", $"{stage}/chat-server");
    System.IO.File.SetUnixFileMode($"{stage}/chat-server", (UnixFileMode)0b111_101_101);
    System.IO.File.Copy($"{root}/README.md", $"{stage}/README.md");
    MustRun("tar", $"--sort=name --owner=0 --group=0 --numeric-owner -czf {tarball} -C {release} {name}");
    System.IO.Directory.Delete(stage, true);
    Information($"wrote {tarball}");
});

Task("Test")
    .IsDependentOn("Publish")
    .Does(() =>
{
    EnsureChromium();
    EnsureDebianPackage("/usr/sbin/nginx", "nginx", "the nginx tests");
    EnsureDebianPackage("/usr/bin/systemd-analyze", "systemd", "the unit file verification");
    var results = $"{artifacts}/test-results";
    var summary = $"{artifacts}/test-summary.txt";
    if (System.IO.Directory.Exists(results)) System.IO.Directory.Delete(results, true);
    if (System.IO.File.Exists(summary)) System.IO.File.Delete(summary);
    var code = Run("dotnet", $"test {root}/Chat.slnx -c {configuration} --no-build -nologo --logger \"trx\" --logger \"console;verbosity=normal\" --results-directory {results}");
    int passed = 0, failed = 0, skipped = 0, files = 0;
    var failures = new StringBuilder();
    foreach (var trx in System.IO.Directory.Exists(results) ? System.IO.Directory.GetFiles(results, "*.trx", SearchOption.AllDirectories) : Array.Empty<string>())
    {
        var document = XDocument.Load(trx);
        foreach (var result in document.Descendants().Where(e => e.Name.LocalName == "UnitTestResult" && (string)e.Attribute("outcome") != "Passed" && (string)e.Attribute("outcome") != "NotExecuted"))
        {
            var message = result.Descendants().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? "";
            var stack = result.Descendants().FirstOrDefault(e => e.Name.LocalName == "StackTrace")?.Value ?? "";
            failures.AppendLine($"FAILED {result.Attribute("testName")?.Value} ({result.Attribute("outcome")?.Value}, {result.Attribute("duration")?.Value})");
            foreach (var line in (message.Trim() + "\n" + stack.Trim()).Split('\n').Where(l => l.Trim().Length > 0).Take(12))
                failures.AppendLine("    " + (line.Length > 240 ? line.Substring(0, 240) : line).TrimEnd());
        }
        var counters = document.Descendants().First(e => e.Name.LocalName == "Counters");
        passed += (int)counters.Attribute("passed");
        failed += (int)counters.Attribute("failed") + (int)counters.Attribute("error") + (int)counters.Attribute("timeout") + (int)counters.Attribute("aborted");
        skipped += (int)counters.Attribute("notExecuted");
        files++;
    }
    if (files == 0) failed++;
    // build.sh prints this file after Cake's own coloured task summary: the failed tests first, so that a log's tail
    // names them, then the plain closing line.
    System.IO.File.WriteAllText(summary, failures.ToString() + $"{passed} passed, {failed} failed, {skipped} skipped\n");
    Information($"{passed} passed, {failed} failed, {skipped} skipped");
    if (code != 0 || failed > 0) throw new Exception($"tests failed (dotnet test exit code {code})");
});

// The fuzz targets of UnitTests/Faults/FuzzTests.cs for longer than the normal suite's few seconds:
// ./build.sh --target=Fuzz --seconds=600 (per target; default 60). Each prints the number of inputs it tried.
Task("Fuzz")
    .IsDependentOn("Build")
    .Does(() =>
{
    var seconds = Argument("seconds", 60);
    MustRun("dotnet", $"test {root}/UnitTests/UnitTests.csproj -c {configuration} --no-build -nologo --filter Category=Fuzz --logger \"console;verbosity=detailed\"",
        new Dictionary<string, string> { ["CHAT_FUZZ_SECONDS"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
});

Task("Run")
    .IsDependentOn("Build")
    .Does(() =>
{
    var code = Run("dotnet", $"{root}/ChatServer/bin/{configuration}/net10.0/ChatServer.dll");
    if (code != 0) throw new Exception($"the server exited with {code}");
});

Task("LoadTest")
    .IsDependentOn("Build")
    .Does(() => MustRun("dotnet", $"{root}/LoadTests/bin/{configuration}/net10.0/LoadTests.dll run fanout --target ours --clients 100 --senders 10 --rate 100 --duration 10 --out {artifacts}/loadtest"));

Task("Bench")
    .IsDependentOn("Build")
    .Does(() =>
{
    MustRun("dotnet", $"{root}/Benchmarks/bin/{configuration}/net10.0/Benchmarks.dll --filter * --job short --artifacts {artifacts}/benchmarks");
    MustRun("dotnet", $"{root}/LoadTests/bin/{configuration}/net10.0/LoadTests.dll bench --out {artifacts}/bench");
});

RunTarget(target);
