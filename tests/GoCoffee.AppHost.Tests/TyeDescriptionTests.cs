using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using YamlDotNet.RepresentationModel;

namespace GoCoffee.AppHost.Tests;

/// <summary>tye.yaml describes the platform the app host runs: the same processes, projects, ports, probes and logins.</summary>
public sealed class TyeDescriptionTests
{
    [Fact]
    public async Task Tye_runs_the_same_processes_from_the_same_projects_on_the_same_ports_as_the_app_host()
    {
        var repository = RepositoryRoot();
        var tye = TyeServices();
        var model = await DistributedApplicationTestingBuilder.CreateAsync<Projects.GoCoffee_AppHost>(["--ConnectionStrings:Postgres=Host=127.0.0.1"]);
        var projects = model.Resources.OfType<ProjectResource>().ToDictionary(project => project.Name);

        Assert.Equal(projects.Keys.Order(), tye.Where(service => service.Value.Children.ContainsKey("project")).Select(service => service.Key).Order());
        foreach (var (name, port) in PlatformModel.Processes)
        {
            var service = tye[name];
            Assert.Equal(
                Path.GetFullPath(projects[name].GetProjectMetadata().ProjectPath),
                Path.GetFullPath(Path.Combine(repository, Scalar(service, "project"))));
            var binding = (YamlMappingNode)((YamlSequenceNode)service["bindings"]).Single();
            Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(binding, "port"));
            Assert.Contains($"Urls=http://127.0.0.1:{port}", Environment(service));
        }
    }

    [Fact]
    public async Task Tye_runs_the_same_tools_with_the_same_arguments_as_the_app_host()
    {
        var model = await DistributedApplicationTestingBuilder.CreateAsync<Projects.GoCoffee_AppHost>(["--ConnectionStrings:Postgres=Host=127.0.0.1"]);
        // Aspire adds a hidden "<project>-rebuilder" executable per project (the dashboard's rebuild command): not a tool.
        var tools = model.Resources.OfType<ExecutableResource>()
            .Where(tool => !tool.Name.EndsWith("-rebuilder", StringComparison.Ordinal))
            .ToDictionary(tool => tool.Name);
        var tye = TyeServices().Where(service => service.Value.Children.ContainsKey("executable")).ToDictionary();

        Assert.Equal(tools.Keys.Order(), tye.Keys.Order());
        foreach (var (name, tool) in tools)
        {
            Assert.Equal(tool.Command, Scalar(tye[name], "executable"));
            var arguments = tool.Annotations.OfType<CommandLineArgsCallbackAnnotation>().Single();
            var context = new CommandLineArgsCallbackContext([]);
            await arguments.Callback(context);
            var expected = context.Args.Select(argument => argument.ToString()!).Select(argument => argument.Contains('/', StringComparison.Ordinal) ? argument[..(argument.IndexOf('=', StringComparison.Ordinal) + 1)] : argument);
            var actual = Scalar(tye[name], "args").Split(' ').Select(argument => argument.Contains('/', StringComparison.Ordinal) ? argument[..(argument.IndexOf('=', StringComparison.Ordinal) + 1)] : argument);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Tye_probes_readiness_like_the_app_host_and_gives_each_process_its_own_broker_login_and_settings()
    {
        foreach (var (name, service) in TyeServices().Where(service => service.Value.Children.ContainsKey("project")))
        {
            Assert.Equal(PlatformModel.ReadinessPath, Scalar((YamlMappingNode)((YamlMappingNode)service["readiness"])["http"], "path"));
            Assert.Equal($"/var/lib/gocoffee/secrets/tye/{name}.env", ((YamlSequenceNode)service["env_file"]).Single().ToString());
            var environment = Environment(service);
            Assert.Contains("Messaging__BrokerUserPrefix=gocoffee-", environment);
            Assert.Contains("Platform__UseDevelopmentKeys=true", environment);
            Assert.Equal(name != "gateway", environment.Any(variable => variable.StartsWith("ConnectionStrings__Postgres=", StringComparison.Ordinal)));
            Assert.DoesNotContain(environment, variable => variable.StartsWith("ConnectionStrings__RabbitMq", StringComparison.Ordinal));
        }
    }

    private static Dictionary<string, YamlMappingNode> TyeServices()
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(Path.Combine(AppContext.BaseDirectory, "tye.yaml")))
        {
            stream.Load(reader);
        }

        var services = (YamlSequenceNode)((YamlMappingNode)stream.Documents.Single().RootNode)["services"];
        return services.Cast<YamlMappingNode>().ToDictionary(service => Scalar(service, "name"));
    }

    private static List<string> Environment(YamlMappingNode service) =>
        [.. ((YamlSequenceNode)service["env"]).Select(variable => variable.ToString())];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GoCoffee.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No GoCoffee.sln above {AppContext.BaseDirectory}.");
    }
}
