using Xunit;

namespace Chat.UnitTests.Infrastructure;

/// <summary>A theory that needs PostgreSQL: skipped with a loud reason when the binaries are missing, except under CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        Skip = PostgresRequirement.SkipReason;
    }
}
