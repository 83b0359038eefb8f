using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.Bench;

/// <summary>
/// The node built beside this tool (Grid.Silo.dll), started as a process on free loopback ports with
/// demo seeding off and an administrator from the command line; ready once /health/ready answers 200.
/// </summary>
public sealed class BenchNode : IAsyncDisposable
{
    private readonly Process process;

    private BenchNode(Process process, Uri address, TimeSpan ready) => (this.process, Address, ReadyAfter) = (process, address, ready);

    public Uri Address { get; }

    /// <summary>From starting the process to the first 200 from /health/ready.</summary>
    public TimeSpan ReadyAfter { get; }

    public int ProcessId => process.Id;

    /// <summary>CPU time the node process has used so far (user and system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>Arguments of the embedded profile on <paramref name="dataDirectory"/>.</summary>
    public static string[] Embedded(string dataDirectory) => [$"--Grid:DataDirectory={dataDirectory}"];

    /// <summary>
    /// Arguments of the postgres profile on <paramref name="connectionString"/> (a data directory for its logs only). Each
    /// node is a cluster of its own: a killed node stays in its cluster's membership table until the others declare it dead,
    /// and a node joining that cluster would wait for that first. Grain state is keyed by service id, not cluster id.
    /// </summary>
    public static string[] Postgres(string connectionString, string logDirectory) =>
    [
        "--Grid:Profile=postgres", $"--ConnectionStrings:Grid={connectionString}", "--Grid:AdvertisedAddress=127.0.0.1", $"--Grid:ClusterId=bench-{Guid.NewGuid():N}",
        $"--Grid:DataDirectory={logDirectory}", $"--Grid:Auth:SigningKey={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48))}",
    ];

    /// <summary>
    /// The embedded profile on <paramref name="dataDirectory"/>, with the per-user report limit lifted: the load
    /// benchmarks report as one committee at their rate (30 a minute by default).
    /// </summary>
    public static Task<BenchNode> Start(string dataDirectory, string adminPassword, params string[] extraArgs) =>
        Start(Embedded(dataDirectory), adminPassword, ["--Grid:RateLimits:ReportsPerMinute=100000", .. extraArgs]);

    public static async Task<BenchNode> Start(string[] profile, string adminPassword, params string[] extra)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var port = Loopback.FreePort();
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Grid.Silo.dll"), "--urls", $"http://127.0.0.1:{port}",
            $"--Grid:SiloPort={Loopback.FreePort()}", "--Grid:Seed:Demo=false", "--Grid:Admin:Username=bench", $"--Grid:Admin:Password={adminPassword}",
        }.Concat(profile).Concat(extra)) info.ArgumentList.Add(arg);
        var watch = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("node: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var deadline = DateTime.UtcNow.AddSeconds(180); DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            if (process.HasExited) throw new InvalidOperationException($"The node exited with {process.ExitCode}.");
            try
            {
                if ((await http.GetAsync(new Uri(address, "/health/ready"))).IsSuccessStatusCode) return new BenchNode(process, address, watch.Elapsed);
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, not answering yet.
            }
        }
        await new BenchNode(process, address, watch.Elapsed).DisposeAsync();
        throw new TimeoutException("The node was not ready within 180 s.");
    }

    /// <summary>A client signed in as the node's administrator.</summary>
    public async Task<HttpClient> Admin(string adminPassword)
    {
        var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        var token = await http.PostAsJsonAsync("/api/auth/token", new { username = "bench", password = adminPassword });
        token.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString());
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
