using System.Globalization;
using System.Runtime.InteropServices;

namespace Grid.Bench;

/// <summary>What every benchmark prints about the machine it ran on, so figures can be compared.</summary>
public static class Machine
{
    public static string Describe() =>
        $"{Environment.ProcessorCount} cores ({Cpu()}), {MemoryGiB()} GiB RAM, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    /// <summary>1, 5 and 15 minute load averages: other work on a shared machine shows here.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string Cpu() => File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
        : RuntimeInformation.ProcessArchitecture.ToString();

    private static string MemoryGiB() => File.Exists("/proc/meminfo")
        ? (long.Parse(File.ReadLines("/proc/meminfo").First().Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024 / 1024).ToString(CultureInfo.InvariantCulture)
        : "?";
}

/// <summary>Reads "--name value" options and "--flag" switches.</summary>
public sealed class ArgReader(IReadOnlyList<string> args)
{
    public string Get(string name, string fallback)
    {
        var i = args.ToList().IndexOf(name);
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : fallback;
    }

    public int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public bool Has(string name) => args.Contains(name);
}
