using System.Diagnostics;
using System.Net;
using System.Text.Json;
using GoCoffee.EndToEnd.Tests.Platform;
using GoCoffee.Testing;
using Xunit;

namespace GoCoffee.EndToEnd.Tests;

public sealed partial class PlatformTests
{
    private static readonly TimeSpan OutageDetectionTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Stops the RabbitMQ application of the shared broker node (<c>rabbitmqctl stop_app</c>) only as long as it takes to
    /// see readiness fail, and always starts it again. Runs after every other test of the class.
    /// </summary>
    [Fact]
    [RunsLast]
    public async Task Readiness_fails_while_RabbitMQ_is_down_and_recovers_without_restarting_any_process()
    {
        await platform.WaitUntilReady(platform.All, RecoveryTimeout);
        var pids = platform.All.ToDictionary(process => process.Name, process => process.Pid);
        var tenant = platform["tenant"];
        var clock = Stopwatch.StartNew();
        Exception? outageFailure = null;

        try
        {
            await RabbitMqControl.StopApp();
            output.WriteLine($"{clock.ElapsedMilliseconds} ms: rabbitmqctl stop_app done");

            var tenantReport = await WaitForReadiness(tenant.BaseAddress, HttpStatusCode.ServiceUnavailable, OutageDetectionTimeout, "tenant /health/ready answers 503 while RabbitMQ is down");
            output.WriteLine($"{clock.ElapsedMilliseconds} ms: tenant not ready: {tenantReport}");
            var tenantChecks = tenantReport.GetProperty("checks");
            Assert.Equal("Healthy", tenantChecks.GetProperty("postgresql").GetProperty("status").GetString());
            Assert.Contains(tenantChecks.EnumerateObject(), check => check.Name.Contains("masstransit", StringComparison.OrdinalIgnoreCase) && check.Value.GetProperty("status").GetString() != "Healthy");

            var gatewayReport = await WaitForReadiness(platform.Gateway.BaseAddress, HttpStatusCode.ServiceUnavailable, OutageDetectionTimeout, "gateway /health/ready answers 503 while RabbitMQ is down", asOperator: true);
            output.WriteLine($"{clock.ElapsedMilliseconds} ms: gateway not ready: {gatewayReport}");
            Assert.Equal("Unhealthy", gatewayReport.GetProperty("checks").GetProperty("tenant/primary").GetProperty("status").GetString());
        }
        catch (Exception ex)
        {
            outageFailure = ex;
            throw;
        }
        finally
        {
            try
            {
                await RabbitMqControl.StartApp();
                output.WriteLine($"{clock.ElapsedMilliseconds} ms: rabbitmqctl start_app done");
            }
            catch (Exception ex) when (outageFailure is not null)
            {
                // Keep the first failure as the test's; still say loudly that the broker may be left stopped.
                output.WriteLine($"rabbitmqctl start_app FAILED after an earlier failure; the broker may still be stopped: {ex}");
            }
        }

        var restarted = clock.Elapsed;
        await platform.WaitUntilReady(platform.All, RecoveryTimeout);
        output.WriteLine($"{clock.ElapsedMilliseconds} ms: every process ready again, {(clock.Elapsed - restarted).TotalMilliseconds:0} ms after start_app");
        var (gatewayStatus, gatewayBody) = await GetJson(Gateway("/health/ready"));
        Assert.True(gatewayStatus == HttpStatusCode.OK, $"gateway /health/ready answered {(int)gatewayStatus} after recovery: {gatewayBody}");

        // Same processes: nothing was restarted to recover.
        foreach (var process in platform.All)
        {
            Assert.False(process.HasExited, $"{process.Name} exited:{Environment.NewLine}{process.Tail()}");
            Assert.Equal(pids[process.Name], process.Pid);
        }

        // And the bus works again end to end, from the same instances.
        var probe = await StartProbe();
        var view = await WaitForAnswers(probe, AllServices);
        output.WriteLine($"{clock.ElapsedMilliseconds} ms: probe {probe} answered by all services after the outage");
        foreach (var answer in view.GetProperty("answers").EnumerateArray())
        {
            var service = answer.GetProperty("service").GetString()!;
            Assert.Equal(platform[service].Instance, answer.GetProperty("instance").GetString());
        }
    }

    private async Task<JsonElement> WaitForReadiness(Uri process, HttpStatusCode expected, TimeSpan timeout, string because, bool asOperator = false)
    {
        string last = "no answer";
        try
        {
            var report = await TestInfrastructure.Eventually<JsonElement?>(
                async () =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(process, "/health/ready"));
                    if (asOperator)
                    {
                        // The gateway shows its checks to operators only.
                        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", platform.OperatorToken);
                    }

                    using var response = await platform.Http.SendAsync(request);
                    last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    if (response.StatusCode != expected)
                    {
                        return null;
                    }

                    using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    return document.RootElement.Clone();
                },
                timeout,
                because);
            return report!.Value;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last answer: {last}{Environment.NewLine}{platform.Diagnostics()}", ex);
        }
    }
}
