using System.Reflection;

namespace Grid.Tests;

/// <summary>
/// The fast command (`--filter Tier=Unit`) is only honest if every test says its tier: a class without
/// one would silently drop out of every tier's run.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class TestTierTests
{
    private static readonly string[] Tiers = ["Unit", "Integration", "EndToEnd"];

    [Fact]
    public void Every_test_class_is_in_exactly_one_tier()
    {
        var wrong = typeof(TestTierTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && HasTests(t))
            .Select(t => (t.FullName, Tiers: TiersOf(t)))
            .Where(c => c.Tiers.Count != 1 || !Tiers.Contains(c.Tiers[0]))
            .Select(c => $"{c.FullName}: [{string.Join(", ", c.Tiers)}]")
            .ToList();
        Assert.True(wrong.Count == 0,
            $"Every test class needs one [Trait(\"Tier\", \"{string.Join("|", Tiers)}\")] (on it or on its base class):\n{string.Join("\n", wrong)}");
    }

    private static bool HasTests(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any());

    // As xunit reads traits: from the class and each of its base classes.
    private static List<string> TiersOf(Type type)
    {
        var tiers = new List<string>();
        for (var t = type; t is not null; t = t.BaseType)
            tiers.AddRange(t.GetCustomAttributesData()
                .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == "Tier")
                .Select(a => (string)a.ConstructorArguments[1].Value!));
        return tiers;
    }
}
