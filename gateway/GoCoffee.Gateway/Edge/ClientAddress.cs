using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HttpOverrides;

namespace GoCoffee.Gateway.Edge;

/// <summary>
/// <c>Gateway:ForwardedHeaders</c>: the proxies and load balancers in front of the gateway whose <c>X-Forwarded-For</c>
/// names the client. From any other peer the header is ignored: the client address is the connection's.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string Section = "Gateway:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies (<c>10.0.0.7</c>, <c>2001:db8::7</c>).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (<c>10.0.0.0/8</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies deep the header is read (each must be trusted).</summary>
    public int ForwardLimit { get; set; } = 1;

    public bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

/// <summary>Who a request comes from, for the limits that apply per client address.</summary>
public static class ClientAddress
{
    /// <summary>
    /// The client's address (after the trusted proxies' <c>X-Forwarded-For</c>, if any): an IPv4 address, or the /64 an
    /// IPv6 address belongs to (one host usually holds a whole /64, and could otherwise pick a new address per request).
    /// </summary>
    public static string Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return $"{new IPAddress(bytes)}/64";
    }

    /// <summary>Honours <c>X-Forwarded-For</c> from the configured proxies only; with none configured, from no one (and adds no work per request).</summary>
    public static IHostApplicationBuilder AddClientAddresses(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(ForwardedHeadersSettings.Section).Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();
        builder.Services.AddSingleton(settings);
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            options.ForwardLimit = Math.Max(1, settings.ForwardLimit);

            // ASP.NET Core trusts loopback by default: only what is configured is trusted here.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in settings.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                    ? address
                    : throw new InvalidOperationException($"{ForwardedHeadersSettings.Section}:KnownProxies: '{proxy}' is not an IP address."));
            }

            foreach (var network in settings.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                    ? parsed
                    : throw new InvalidOperationException($"{ForwardedHeadersSettings.Section}:KnownNetworks: '{network}' is not a network in CIDR notation."));
            }
        });
        return builder;
    }
}
