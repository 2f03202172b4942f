// Build script (Cake 7, plain C#: no #tool/#addin downloads). Targets: Build, Test, Run, LoadTest, Bench.
using System.Diagnostics;
using System.Runtime.InteropServices;
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

Task("Build")
    .Does(() => MustRun("dotnet", $"build {root}/Chat.slnx -c {configuration} -nologo"));

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    var results = $"{artifacts}/test-results";
    if (System.IO.Directory.Exists(results)) System.IO.Directory.Delete(results, true);
    var code = Run("dotnet", $"test {root}/Chat.slnx -c {configuration} --no-build -nologo --logger \"trx\" --logger \"console;verbosity=normal\" --results-directory {results}");
    int passed = 0, failed = 0, skipped = 0, files = 0;
    foreach (var trx in System.IO.Directory.Exists(results) ? System.IO.Directory.GetFiles(results, "*.trx", SearchOption.AllDirectories) : Array.Empty<string>())
    {
        var counters = XDocument.Load(trx).Descendants().First(e => e.Name.LocalName == "Counters");
        passed += (int)counters.Attribute("passed");
        failed += (int)counters.Attribute("failed") + (int)counters.Attribute("error") + (int)counters.Attribute("timeout") + (int)counters.Attribute("aborted");
        skipped += (int)counters.Attribute("notExecuted");
        files++;
    }
    if (files == 0) failed++;
    Information($"{passed} passed, {failed} failed, {skipped} skipped");
    if (code != 0 || failed > 0) throw new Exception($"tests failed (dotnet test exit code {code})");
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
