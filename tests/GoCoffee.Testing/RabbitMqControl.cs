using System.Diagnostics;

namespace GoCoffee.Testing;

/// <summary>
/// <c>rabbitmqctl</c> against the local broker node that <c>scripts/infra.sh</c> runs (node <c>rabbit@localhost</c>, named in
/// <c>/etc/rabbitmq/rabbitmq-env.conf</c>). Like infra.sh, the tool runs as the <c>rabbitmq</c> OS user with
/// <c>HOME=/var/lib/rabbitmq</c>, so it presents the server's Erlang cookie. <c>GOCOFFEE_TEST_RABBITMQCTL</c> overrides the
/// executable (then run as the current user, e.g. a rabbitmqctl that already knows its node and cookie).
/// </summary>
public static class RabbitMqControl
{
    private const string RabbitHome = "/var/lib/rabbitmq";
    private const string RabbitLibBin = "/usr/lib/rabbitmq/bin/rabbitmqctl";

    /// <summary>Stops the RabbitMQ application (AMQP listeners, management) while the Erlang node keeps running.</summary>
    public static Task StopApp() => Run("stop_app");

    /// <summary>Starts the RabbitMQ application again; tries twice, since leaving the shared broker stopped hurts everyone.</summary>
    public static async Task StartApp()
    {
        try
        {
            await Run("start_app");
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await Run("start_app");
        }
    }

    public static async Task Run(params string[] arguments)
    {
        var start = CreateStartInfo(arguments);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rabbitmqctl {string.Join(' ', arguments)} did not finish within 90 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"rabbitmqctl {string.Join(' ', arguments)} exited with {process.ExitCode}:{Environment.NewLine}{await stdout}{await stderr}");
        }
    }

    private static ProcessStartInfo CreateStartInfo(string[] arguments)
    {
        var overridden = Environment.GetEnvironmentVariable("GOCOFFEE_TEST_RABBITMQCTL");
        ProcessStartInfo start;
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            start = new ProcessStartInfo(overridden);
        }
        else if (File.Exists(RabbitLibBin) && Environment.UserName == "root")
        {
            start = new ProcessStartInfo("runuser") { WorkingDirectory = RabbitHome };
            foreach (var argument in new[] { "-u", "rabbitmq", "--", "env", $"HOME={RabbitHome}", RabbitLibBin })
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start = new ProcessStartInfo("rabbitmqctl");
            start.Environment["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        return start;
    }
}
