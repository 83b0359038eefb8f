using System.Diagnostics;
using System.Text;

namespace Grid.Tests.Testing;

/// <summary>The node executable (Grid.Silo.dll, built beside the tests) run as a real OS process.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process process;
    private readonly StringBuilder output = new();

    private NodeProcess(System.Diagnostics.Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public string Output { get { lock (output) return output.ToString(); } }

    public static async Task<NodeProcess> StartAsync(string dataDirectory, int httpPort, int siloPort, params string[] settings)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Grid.Silo.dll"));
        foreach (var arg in new[] { "--urls", $"http://127.0.0.1:{httpPort}", $"--Grid:DataDirectory={dataDirectory}", $"--Grid:SiloPort={siloPort}" }.Concat(settings))
            info.ArgumentList.Add(arg);
        var process = System.Diagnostics.Process.Start(info)!;
        var node = new NodeProcess(process, new Uri($"http://127.0.0.1:{httpPort}"));
        process.OutputDataReceived += (_, e) => { lock (node.output) node.output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (node.output) node.output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await node.WaitUntilReady(TimeSpan.FromSeconds(90));
        return node;
    }

    private async Task WaitUntilReady(TimeSpan limit)
    {
        // One deadline for the whole wait: a probe may take as long as is left of it. A node still starting
        // answers its readiness probe slowly (it checks the storage), and a slow answer is "not ready yet",
        // never the end of the wait.
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var whole = new CancellationTokenSource(limit);
        while (!whole.IsCancellationRequested)
        {
            if (process.HasExited) throw new InvalidOperationException($"The node exited with {process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync(new Uri(Address, "/health/ready"), whole.Token)).IsSuccessStatusCode) return;
                await Task.Delay(250, whole.Token);
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
                await Task.Delay(250, CancellationToken.None);
            }
            catch (OperationCanceledException) when (whole.IsCancellationRequested)
            {
                break;
            }
        }
        throw new TimeoutException($"The node was not ready within {limit}:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; what survives is what was durably written.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        if (!process.HasExited) Kill();
        process.Dispose();
        return ValueTask.CompletedTask;
    }
}
