using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace GoCoffee.ServiceDefaults.Security;

/// <summary>
/// 401 and 403 as problem details that say why: the scheme's challenge still runs (WWW-Authenticate), then the body
/// names what was wrong with the credential, or which rule refused the caller.
/// </summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (authorizeResult.Challenged)
        {
            if (policy.AuthenticationSchemes.Count > 0)
            {
                foreach (var scheme in policy.AuthenticationSchemes)
                {
                    await context.ChallengeAsync(scheme);
                }
            }
            else
            {
                await context.ChallengeAsync();
            }

            await Problems.WriteAsync(
                context,
                StatusCodes.Status401Unauthorized,
                "Authentication is required.",
                context.Items[InternalIdentity.FailureItem] as string ?? "The request carries no valid credential.");
            return;
        }

        var reasons = authorizeResult.AuthorizationFailure?.FailureReasons.Select(reason => reason.Message).Where(message => message.Length > 0).ToList() ?? [];
        var extensions = authorizeResult.AuthorizationFailure?.FailureReasons.OfType<ProblemFailureReason>().SelectMany(reason => reason.Extensions)
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        await Problems.WriteAsync(
            context,
            StatusCodes.Status403Forbidden,
            "The caller may not do this.",
            reasons.Count > 0 ? string.Join(" ", reasons) : "The caller's scope does not allow this operation.",
            extensions);
    }
}

/// <summary>A refusal that adds fields to the 403 problem (for example the feature a tenant's tier lacks).</summary>
public sealed class ProblemFailureReason(IAuthorizationHandler handler, string message, IReadOnlyDictionary<string, object?> extensions)
    : AuthorizationFailureReason(handler, message)
{
    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions;
}
