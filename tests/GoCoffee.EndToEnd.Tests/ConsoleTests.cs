using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GoCoffee.EndToEnd.Tests.Platform;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace GoCoffee.EndToEnd.Tests;

/// <summary>
/// The operator console at <c>/console</c> through the gateway, in headless Chromium (Debian's <c>chromium</c>, driven by
/// Microsoft.Playwright; no browser is downloaded). Screenshots go to the test project's <c>TestResults</c> folder.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ConsoleTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    private Uri ConsoleUrl => new(platform.Gateway.BaseAddress, "/console");

    [Fact]
    public async Task The_live_feed_shows_a_tenant_being_onboarded_without_a_reload_and_a_tenant_admin_sees_only_its_own_tenant()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("GOCOFFEE_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });

        // An operator signs in; the page is loaded once and never again.
        var operatorContext = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await operatorContext.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"browser: {message.Text}");
        await page.GotoAsync(ConsoleUrl.ToString());
        await SignIn(page, platform.OperatorToken);
        await Assertions.Expect(page.Locator("#feed-state")).ToHaveTextAsync("live", new() { Timeout = (float)Wait.TotalMilliseconds });
        await page.EvaluateAsync("() => { window.loadedOnce = true; }");
        Assert.DoesNotContain(platform.OperatorToken, page.Url, StringComparison.Ordinal);

        var tenants = await Task.WhenAll(CoffeeTenant.Onboard(platform, "console"), CoffeeTenant.Onboard(platform, "hidden"));
        var (mine, theirs) = (tenants[0], tenants[1]);
        await Assertions.Expect(page.Locator($"#feed li[data-tenant=\"{mine.Id}\"][data-type=\"tenant.activated\"]")).ToHaveCountAsync(1, new() { Timeout = (float)Wait.TotalMilliseconds });
        await Assertions.Expect(page.Locator($"#tenants tr[data-tenant=\"{mine.Id}\"] .phase")).ToHaveTextAsync("Active", new() { Timeout = (float)Wait.TotalMilliseconds });

        // An order and an alert show up too, still without a reload: the chart, the counters, the alert list and the feed.
        await mine.Place($"console-{Guid.NewGuid():N}");
        await Assertions.Expect(page.Locator("#kpi-orders")).Not.ToHaveTextAsync("0", new() { Timeout = (float)Wait.TotalMilliseconds });
        Assert.True(await page.Locator("#orders-chart rect.orders[height]:not([height=\"0\"])").CountAsync() > 0, "the chart shows the order");
        await PostAlert(mine.Id, "ConsoleTestAlert");
        await PostAlert(theirs.Id, "OtherTenantAlert");
        await Assertions.Expect(page.Locator($"#alerts li[data-tenant=\"{mine.Id}\"]")).ToContainTextAsync("ConsoleTestAlert", new() { Timeout = (float)Wait.TotalMilliseconds });
        await Assertions.Expect(page.Locator($"#feed li[data-tenant=\"{mine.Id}\"][data-type=\"alert.fired\"]")).ToHaveCountAsync(1, new() { Timeout = (float)Wait.TotalMilliseconds });
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"), "the page was not reloaded");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifact("console-operator.png"), FullPage = true });

        // The tenant's own admin, with its API key: its tenant only, in the page and in the APIs behind it.
        var tenantContext = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var tenantPage = await tenantContext.NewPageAsync();
        await tenantPage.GotoAsync(ConsoleUrl.ToString());
        await SignIn(tenantPage, mine.ApiKey);
        await Assertions.Expect(tenantPage.Locator($"#tenants tr[data-tenant=\"{mine.Id}\"]")).ToHaveCountAsync(1, new() { Timeout = (float)Wait.TotalMilliseconds });
        await Assertions.Expect(tenantPage.Locator($"#feed li[data-tenant=\"{mine.Id}\"]").First).ToBeVisibleAsync(new() { Timeout = (float)Wait.TotalMilliseconds });
        Assert.Equal(0, await tenantPage.Locator($"[data-tenant=\"{theirs.Id}\"]").CountAsync());
        Assert.DoesNotContain(theirs.Id, await tenantPage.ContentAsync(), StringComparison.Ordinal);
        await Assertions.Expect(tenantPage.Locator("#scope")).ToHaveTextAsync($"tenant {mine.Id}");
        await Assertions.Expect(tenantPage.Locator("#alerts")).ToContainTextAsync("ConsoleTestAlert");
        Assert.DoesNotContain("OtherTenantAlert", await tenantPage.ContentAsync(), StringComparison.Ordinal);
        await tenantPage.ScreenshotAsync(new PageScreenshotOptions { Path = Artifact("console-tenant-admin.png"), FullPage = true });

        using var http = new HttpClient { BaseAddress = platform.Gateway.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", mine.ApiKey);
        using (var other = await http.GetAsync($"/api/tenants/{theirs.Id}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }

        var listed = JsonDocument.Parse(await http.GetStringAsync("/api/tenants")).RootElement.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("tenantId").GetString()).ToList();
        Assert.Equal([mine.Id], listed);
        Assert.DoesNotContain(theirs.Id, await http.GetStringAsync($"/api/observability/alerts?status=all&tenant={theirs.Id}"), StringComparison.Ordinal);
        var feed = await FeedBacklog(http);
        Assert.Contains(mine.Id, feed, StringComparison.Ordinal);
        Assert.DoesNotContain(theirs.Id, feed, StringComparison.Ordinal);

        // The operator's feed holds both.
        using var operatorHttp = new HttpClient { BaseAddress = platform.Gateway.BaseAddress };
        operatorHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platform.OperatorToken);
        var everything = await FeedBacklog(operatorHttp);
        Assert.Contains(theirs.Id, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_admin_sees_its_ai_workload_with_replicas_gpus_and_the_tenants_gpu_quota()
    {
        var tenant = await CoffeeTenant.Onboard(platform, "console-ai", ai: new { enabled = true, models = new[] { "coffee-recommendation" }, gpuQuota = 2, gpuTypes = new[] { "nvidia-tesla-t4" } });
        await tenant.DeployRecommender("console-recommender");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("GOCOFFEE_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(ConsoleUrl.ToString());
        await SignIn(page, tenant.ApiKey);

        // The page refreshes every 5 s: the row follows the deployment saga until the GPU is reserved in the quota.
        var row = page.Locator($"#workloads tr[data-tenant=\"{tenant.Id}\"]");
        // (The version shows once loaded: the fake API server never makes the Deployment's pods ready, so it stays Initializing.)
        await Assertions.Expect(row).ToContainTextAsync("console-recommender (coffee-recommendation", new() { Timeout = (float)Wait.TotalMilliseconds });
        await Assertions.Expect(row.Locator(".phase")).ToHaveTextAsync("Initializing", new() { Timeout = (float)Wait.TotalMilliseconds });
        await Assertions.Expect(row).ToContainTextAsync("1× nvidia-tesla-t4", new() { Timeout = (float)Wait.TotalMilliseconds });
        await Assertions.Expect(row).ToContainTextAsync("1/2 GPUs", new() { Timeout = (float)Wait.TotalMilliseconds });
        await Assertions.Expect(row).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d+/1 ready"), new() { Timeout = (float)Wait.TotalMilliseconds });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifact("console-ai-workloads.png"), FullPage = true });
    }

    [Fact]
    public async Task The_console_page_is_served_through_the_gateway_with_a_policy_that_runs_only_its_own_script()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(ConsoleUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        using var script = await http.GetAsync(new Uri(platform.Gateway.BaseAddress, "/console/console.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);

        // The feed behind it needs a credential.
        using var feed = await http.GetAsync(new Uri(platform.Gateway.BaseAddress, "/api/observability/console/feed"));
        Assert.Equal(HttpStatusCode.Unauthorized, feed.StatusCode);

        // The alert intake is for Alertmanager on loopback: through the gateway even an operator is refused, because the
        // gateway replaces the caller's Authorization with its internal token, which is not the intake's token.
        using var intake = new HttpRequestMessage(HttpMethod.Post, new Uri(platform.Gateway.BaseAddress, "/api/observability/alerts/intake"))
        {
            Content = new StringContent("{\"version\":\"4\",\"alerts\":[]}", System.Text.Encoding.UTF8, "application/json"),
        };
        intake.Headers.Authorization = new AuthenticationHeaderValue("Bearer", platform.OperatorToken);
        using var refused = await http.SendAsync(intake);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    /// <summary>Reports a firing alert for a tenant to the observability service's intake, as Alertmanager does (on loopback, with the intake token).</summary>
    private async Task PostAlert(string tenantId, string alertName)
    {
        using var http = new HttpClient { BaseAddress = platform["observability"].BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observability/alerts/intake")
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new
                {
                    version = "4",
                    status = "firing",
                    alerts = new[]
                    {
                        new
                        {
                            status = "firing",
                            labels = new Dictionary<string, string> { ["alertname"] = alertName, ["severity"] = "warning", ["tenant"] = tenantId },
                            annotations = new Dictionary<string, string> { ["summary"] = $"{alertName} for {tenantId}" },
                            startsAt = DateTimeOffset.UtcNow.ToString("O"),
                            fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)),
                        },
                    },
                }),
                System.Text.Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", platform.AlertIntakeToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task SignIn(IPage page, string credential)
    {
        await page.FillAsync("#credential", credential);
        await page.ClickAsync("#signin-button");
        await Assertions.Expect(page.Locator("#dashboard")).ToBeVisibleAsync(new() { Timeout = (float)Wait.TotalMilliseconds });
    }

    /// <summary>What the feed sends before it goes live: the recent events this caller may see.</summary>
    private static async Task<string> FeedBacklog(HttpClient http)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.GetAsync("/api/observability/console/feed", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var text = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(timeout.Token) is { } line && line != ": live")
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }

    private static string Artifact(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "GoCoffee.EndToEnd.Tests.csproj")))
        {
            directory = directory.Parent;
        }

        var results = Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(results);
        return Path.Combine(results, name);
    }
}
