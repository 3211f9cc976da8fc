using GoCoffee.ServiceDefaults;

namespace GoCoffee.AiWorkload;

public static class AiWorkloadService
{
    public static readonly ServiceIdentity Identity = new("ai-workload", "/api/ai");

    public static IHostApplicationBuilder AddAiWorkloadService(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformService(Identity);
        return builder;
    }

    public static IEndpointRouteBuilder MapAiWorkloadApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(Identity.RoutePrefix).WithTags("ai-workload");
        return endpoints;
    }
}
