using GoCoffee.ServiceDefaults;

namespace GoCoffee.Tenant;

public static class TenantService
{
    public static readonly ServiceIdentity Identity = new("tenant", "/api/tenants");

    public static IHostApplicationBuilder AddTenantService(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformService(Identity);
        return builder;
    }

    public static IEndpointRouteBuilder MapTenantApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(Identity.RoutePrefix).WithTags("tenant");
        return endpoints;
    }
}
