using GoCoffee.ServiceDefaults;

namespace GoCoffee.Orders;

public static class OrdersService
{
    public static readonly ServiceIdentity Identity = new("orders", "/api/orders");

    public static IHostApplicationBuilder AddOrdersService(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformService(Identity);
        return builder;
    }

    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(Identity.RoutePrefix).WithTags("orders");
        return endpoints;
    }
}
