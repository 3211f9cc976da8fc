using GoCoffee.ServiceDefaults;

namespace GoCoffee.Web3;

public static class Web3Service
{
    public static readonly ServiceIdentity Identity = new("web3", "/api/web3");

    public static IHostApplicationBuilder AddWeb3Service(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformService(Identity);
        return builder;
    }

    public static IEndpointRouteBuilder MapWeb3Api(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(Identity.RoutePrefix).WithTags("web3");
        return endpoints;
    }
}
