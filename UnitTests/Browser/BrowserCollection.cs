namespace Chat.UnitTests.Browser;

/// <summary>The browser tests share one headless Chromium and run one at a time, so that a loaded box is not swamped.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
