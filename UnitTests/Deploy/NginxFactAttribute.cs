namespace Chat.UnitTests.Deploy;

/// <summary>A fact that needs nginx and PostgreSQL: skipped with a loud reason when either is missing, except under CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        Skip = NginxRequirement.SkipReason;
    }
}
