using Xunit;

namespace Chat.UnitTests.Infrastructure;

/// <summary>A fact that needs PostgreSQL: skipped with a loud reason when the binaries are missing, except under CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        Skip = PostgresRequirement.SkipReason;
    }
}
