using Microsoft.Playwright;

namespace Chat.UnitTests.Browser;

/// <summary>
/// One headless Debian Chromium driven by Playwright's bundled driver (its own node, copied to the test output), for
/// the whole browser collection. Each test takes a fresh context: its own storage, viewport, locale and time zone.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Generous on a loaded 2-core box; auto-waiting returns as soon as the condition holds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Where screenshots go: artifacts/browser in the repository, or the test output outside one.</summary>
    public static string ArtifactsDirectory { get; } = FindArtifactsDirectory();

    public async Task InitializeAsync()
    {
        // Skipped tests never ask for the browser; under CI=true a missing one fails here, loudly.
        if (BrowserRequirement.SkipReason is not null) return;
        Assertions.SetDefaultExpectTimeout((float)Timeout.TotalMilliseconds);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserRequirement.ExecutablePath,
            Headless = true,
            Timeout = (float)TimeSpan.FromSeconds(60).TotalMilliseconds,
        });
    }

    /// <summary>A fresh context (no shared storage) with a desktop viewport unless told otherwise.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        if (_browser is null) throw new InvalidOperationException("the browser did not start");
        options ??= new BrowserNewContextOptions();
        options.ViewportSize ??= new ViewportSize { Width = 960, Height = 640 };
        options.Locale ??= "en-GB";
        var context = await _browser.NewContextAsync(options);
        context.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    private static string FindArtifactsDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Chat.slnx"))) return Path.Combine(directory.FullName, "artifacts", "browser");
        }
        return Path.Combine(AppContext.BaseDirectory, "browser");
    }
}
