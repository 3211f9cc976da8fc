using System.Diagnostics;
using GoCoffee.ServiceDefaults;

namespace GoCoffee.Gateway.Edge;

/// <summary>
/// The first thing every request meets at the gateway: it keeps a well-formed <c>X-Request-Id</c> or makes one, echoes
/// it on the response (whatever produced it), and tags the trace with it; services get it with the forwarded request
/// and log it, as the gateway does. Tenant headers a client sends are dropped here: the tenant comes from the key or
/// the token, never from a header.
/// </summary>
public sealed class RequestIds(RequestDelegate next)
{
    public const int MaxLength = 128;

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var requestId = headers[ServiceDefaultsExtensions.RequestIdHeader].ToString();
        if (!IsWellFormed(requestId))
        {
            requestId = Activity.Current is { } activity ? $"{activity.TraceId}-{activity.SpanId}" : Guid.NewGuid().ToString("N");
            headers[ServiceDefaultsExtensions.RequestIdHeader] = requestId;
        }

        Activity.Current?.SetTag("http.request.id", requestId);

        // The request carries the id from here on (kept or made above): the response copies it when it starts.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            http.Response.Headers[ServiceDefaultsExtensions.RequestIdHeader] = http.Request.Headers[ServiceDefaultsExtensions.RequestIdHeader];
            return Task.CompletedTask;
        }, context);

        DropTenantHeaders(headers);
        return next(context);
    }

    /// <summary>1 to 128 characters of letters, digits and <c>-_.:</c>: anything else (log injection, giant values) is replaced.</summary>
    public static bool IsWellFormed(string value)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Any header whose name mentions a tenant (X-Tenant-Id, Tenant, X-GoCoffee-Tenant, ...).</summary>
    private static void DropTenantHeaders(IHeaderDictionary headers)
    {
        // Enumerating the pairs, not Keys: Kestrel builds a new set of the names for every Keys call.
        List<string>? tenantHeaders = null;
        foreach (var (name, _) in headers)
        {
            if (name.Contains("tenant", StringComparison.OrdinalIgnoreCase))
            {
                (tenantHeaders ??= []).Add(name);
            }
        }

        tenantHeaders?.ForEach(name => headers.Remove(name));
    }
}
