namespace GoCoffee.ServiceDefaults;

/// <summary>Who this process is: used for logs, telemetry resources, queue names and probe answers.</summary>
/// <param name="Name">The service's short kebab-case name, e.g. <c>tenant</c>.</param>
/// <param name="RoutePrefix">Where the service's HTTP API lives, e.g. <c>/api/tenants</c>; the gateway forwards it unchanged.</param>
public sealed record ServiceIdentity(string Name, string RoutePrefix)
{
    public string Instance { get; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public string Version { get; } =
        typeof(ServiceIdentity).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
