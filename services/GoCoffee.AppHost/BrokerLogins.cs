using Microsoft.Extensions.Configuration;

namespace GoCoffee.AppHost;

/// <summary>
/// Each process logs in to RabbitMQ as its own user (<c>gocoffee-&lt;process&gt;</c>, permissions in
/// scripts/broker-permissions.tsv), whose password <c>scripts/infra.sh up</c> generated into the machine's secrets folder
/// (<c>$GOCOFFEE_DATA_ROOT/secrets/rabbitmq-&lt;process&gt;.password</c>, mode 600). The app host turns each into the
/// connection string <c>ConnectionStrings:rabbitmq-&lt;process&gt;</c> (a secret parameter: the dashboard masks it), unless
/// one is configured already (the tests give their own virtual host and users).
/// </summary>
public static class BrokerLogins
{
    public const string UserPrefixKey = "GoCoffee:RabbitMq:UserPrefix";

    public const string DefaultUserPrefix = "gocoffee-";

    public static string ConnectionName(string process) => $"rabbitmq-{process}";

    public static void AddMachineBrokerLogins(this IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var folder = MachineSecrets.Folder(configuration);
        var host = configuration["GoCoffee:RabbitMq:Host"] ?? "127.0.0.1";
        var port = configuration["GoCoffee:RabbitMq:Port"] ?? "5672";
        var prefix = configuration[UserPrefixKey] ?? DefaultUserPrefix;

        var logins = new Dictionary<string, string?>();
        foreach (var (process, _) in PlatformModel.Processes)
        {
            var key = $"ConnectionStrings:{ConnectionName(process)}";
            var passwordFile = Path.Combine(folder, $"rabbitmq-{process}.password");
            if (!string.IsNullOrEmpty(configuration[key]) || !File.Exists(passwordFile))
            {
                continue;
            }

            var password = Uri.EscapeDataString(File.ReadAllText(passwordFile).Trim());
            logins[key] = $"amqp://{Uri.EscapeDataString(prefix + process)}:{password}@{host}:{port}/";
        }

        configuration.AddInMemoryCollection(logins);
    }
}
