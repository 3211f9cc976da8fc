using System.Diagnostics;

namespace GoCoffee.FakeKubernetes;

/// <summary>
/// The real kubectl binary against a fake API server: found on PATH (<c>scripts/tools.sh</c> puts one there when the
/// machine has none), with no user kubeconfig, credentials or cache leaking in or out.
/// </summary>
public sealed class Kubectl(FakeKubernetesServer server) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _home = Directory.CreateTempSubdirectory("fake-kubectl-").FullName;

    /// <summary>A scratch folder for manifests, removed with this instance.</summary>
    public string Home => _home;

    /// <summary>Runs kubectl with the arguments; returns its standard output, and fails on a non-zero exit code.</summary>
    public async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { $"--server={server.BaseUri.ToString().TrimEnd('/')}", "--insecure-skip-tls-verify" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["KUBECONFIG"] = Path.Combine(_home, "empty-kubeconfig");
        start.Environment["KUBECACHEDIR"] = Path.Combine(_home, "cache");
        start.Environment["HOME"] = _home;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("kubectl is not on PATH: run the tests with scripts/test.sh, or put scripts/tools.sh's folder on PATH.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(Timeout);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"kubectl {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}");
            }

            return await stdout;
        }
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
