namespace Chat.UnitTests.Browser;

/// <summary>A fact that needs a real browser: skipped with a loud reason when chromium is missing, except under CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        Skip = BrowserRequirement.SkipReason;
    }
}
