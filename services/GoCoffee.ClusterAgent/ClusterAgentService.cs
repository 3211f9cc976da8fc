using GoCoffee.ServiceDefaults;

namespace GoCoffee.ClusterAgent;

public static class ClusterAgentService
{
    public static readonly ServiceIdentity Identity = new("cluster-agent", "/api/cluster-agent");

    public static IHostApplicationBuilder AddClusterAgentService(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformService(Identity);
        return builder;
    }

    public static IEndpointRouteBuilder MapClusterAgentApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(Identity.RoutePrefix).WithTags("cluster-agent");
        return endpoints;
    }
}
