using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace GoCoffee.AppHost.Tests;

/// <summary>The platform's shape as the app host declares it, read from its model without starting anything.</summary>
public sealed class AppModelTests : IDisposable
{
    private readonly string _secrets = Directory.CreateTempSubdirectory("gocoffee-apphost-secrets-").FullName;

    public void Dispose() => Directory.Delete(_secrets, recursive: true);

    [Fact]
    public async Task Every_process_of_the_platform_is_a_project_with_its_port_and_a_health_check()
    {
        var model = await Model();

        var projects = model.Resources.OfType<ProjectResource>().ToDictionary(project => project.Name);
        Assert.Equal(PlatformModel.Processes.Select(process => process.Name).Order(), projects.Keys.Order());
        foreach (var (name, port) in PlatformModel.Processes)
        {
            var endpoint = Assert.Single(projects[name].Annotations.OfType<EndpointAnnotation>());
            Assert.Equal(("http", port, false), (endpoint.Name, endpoint.Port!.Value, endpoint.IsProxied));
            Assert.Single(projects[name].Annotations.OfType<HealthCheckAnnotation>());
        }
    }

    [Fact]
    public async Task The_gateway_waits_for_the_tenant_service_and_web3_and_ai_for_their_tools()
    {
        var model = await Model();

        var waits = model.Resources.OfType<ProjectResource>()
            .SelectMany(project => project.Annotations.OfType<WaitAnnotation>().Select(wait => (project.Name, wait.Resource.Name)))
            .ToList();
        Assert.Equal([("ai-workload", "prometheus"), ("web3", "anvil"), ("gateway", "tenant")], waits);
    }

    [Fact]
    public async Task Each_process_logs_in_to_the_broker_as_itself_with_the_password_from_the_machine_secrets()
    {
        await File.WriteAllTextAsync(Path.Combine(_secrets, "rabbitmq-orders.password"), "p@ss/word\n");
        await File.WriteAllTextAsync(Path.Combine(_secrets, "rabbitmq-gateway.password"), "gateway-secret");

        var model = await Model("--GoCoffee:RabbitMq:Port=5673");

        Assert.Equal("amqp://gocoffee-orders:p%40ss%2Fword@127.0.0.1:5673/", (await EnvironmentOf(model, "orders"))["ConnectionStrings__RabbitMq"]);
        Assert.Equal("amqp://gocoffee-gateway:gateway-secret@127.0.0.1:5673/", (await EnvironmentOf(model, "gateway"))["ConnectionStrings__RabbitMq"]);
    }

    [Fact]
    public async Task A_configured_broker_login_wins_over_the_machine_secrets()
    {
        await File.WriteAllTextAsync(Path.Combine(_secrets, "rabbitmq-tenant.password"), "machine");

        var model = await Model("--ConnectionStrings:rabbitmq-tenant=amqp://test-tenant:given@127.0.0.1:5672/vhost", "--GoCoffee:RabbitMq:UserPrefix=test-");

        var environment = await EnvironmentOf(model, "tenant");
        Assert.Equal("amqp://test-tenant:given@127.0.0.1:5672/vhost", environment["ConnectionStrings__RabbitMq"]);
        Assert.Equal("test-", environment["Messaging__BrokerUserPrefix"]);
    }

    [Fact]
    public async Task Processes_listen_on_loopback_at_their_configured_ports_and_the_gateway_routes_to_them()
    {
        var model = await Model("--GoCoffee:Ports:tenant=6101", "--GoCoffee:Ports:orders=6104");

        Assert.Equal("http://127.0.0.1:6101", (await EnvironmentOf(model, "tenant"))["Urls"]);
        var gateway = await EnvironmentOf(model, "gateway");
        Assert.Equal("http://127.0.0.1:8080", gateway["Urls"]);
        Assert.Equal("http://127.0.0.1:6101", gateway["ReverseProxy__Clusters__tenant__Destinations__primary__Address"]);
        Assert.Equal("http://127.0.0.1:6104", gateway["ReverseProxy__Clusters__orders__Destinations__primary__Address"]);
        Assert.Equal("http://127.0.0.1:5102", gateway["ReverseProxy__Clusters__ai-workload__Destinations__primary__Address"]);
        Assert.DoesNotContain(gateway.Keys, key => key.Contains("cluster-agent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Per_process_settings_reach_only_that_process_and_postgres_reaches_every_service_but_the_gateway()
    {
        var model = await Model(
            "--GoCoffee:Environment:cluster-agent:ClusterAgent__Target=kubernetes",
            "--ConnectionStrings:Postgres=Host=127.0.0.1;Database=test");

        var agent = await EnvironmentOf(model, "cluster-agent");
        Assert.Equal("kubernetes", agent["ClusterAgent__Target"]);
        Assert.DoesNotContain("ClusterAgent__Target", (await EnvironmentOf(model, "tenant")).Keys);
        foreach (var (name, _) in PlatformModel.Processes)
        {
            var environment = await EnvironmentOf(model, name);
            Assert.Equal(name != "gateway", environment.ContainsKey("ConnectionStrings__Postgres"));
            Assert.Equal("true", environment["Platform__UseDevelopmentKeys"]);
        }
    }

    private async Task<IDistributedApplicationTestingBuilder> Model(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.GoCoffee_AppHost>(
            [$"--GoCoffee:Secrets={_secrets}", "--ConnectionStrings:Postgres=Host=127.0.0.1", .. args]);

    /// <summary>A process's environment as the app host would start it, with every endpoint at its configured port.</summary>
    private static async Task<Dictionary<string, string>> EnvironmentOf(IDistributedApplicationTestingBuilder model, string name)
    {
        foreach (var endpoint in model.Resources.SelectMany(resource => resource.Annotations.OfType<EndpointAnnotation>()))
        {
            endpoint.AllocatedEndpoint ??= new AllocatedEndpoint(endpoint, "localhost", endpoint.Port!.Value);
        }

        var project = model.Resources.OfType<ProjectResource>().Single(resource => resource.Name == name);
        var configuration = await ExecutionConfigurationBuilder.Create(project)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), NullLogger.Instance, CancellationToken.None);
        return configuration.EnvironmentVariables.ToDictionary();
    }
}
