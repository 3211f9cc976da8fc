using Microsoft.Extensions.Configuration;

namespace GoCoffee.AppHost;

/// <summary>
/// The machine's secrets folder (<c>$GOCOFFEE_DATA_ROOT/secrets</c>, mode 700, written by <c>scripts/infra.sh up</c>; or
/// <c>GoCoffee:Secrets</c>). Each file <c>parameters/&lt;name&gt;</c> there becomes the value of the app host's secret
/// parameter <c>&lt;name&gt;</c> (<c>Parameters:&lt;name&gt;</c>) unless one is configured already, so a key that data is
/// sealed under (the orders service's webhook key) stays the same from one run to the next.
/// </summary>
public static class MachineSecrets
{
    public static string Folder(IConfiguration configuration) =>
        configuration["GoCoffee:Secrets"]
        ?? Path.Combine(Environment.GetEnvironmentVariable("GOCOFFEE_DATA_ROOT") is { Length: > 0 } root ? root : "/var/lib/gocoffee", "secrets");

    public static void AddMachineParameters(this IDistributedApplicationBuilder builder)
    {
        var folder = Path.Combine(Folder(builder.Configuration), "parameters");
        if (!Directory.Exists(folder))
        {
            return;
        }

        var values = new Dictionary<string, string?>();
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var key = $"Parameters:{Path.GetFileName(file)}";
            if (string.IsNullOrEmpty(builder.Configuration[key]))
            {
                values[key] = File.ReadAllText(file).Trim();
            }
        }

        builder.Configuration.AddInMemoryCollection(values);
    }
}
