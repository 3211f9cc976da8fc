using System.Text.RegularExpressions;
using GoCoffee.Orders.Api;
using GoCoffee.Orders.Ordering;
using GoCoffee.Orders.Tenants;
using GoCoffee.ServiceDefaults.Security;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GoCoffee.Orders.Menu;

public sealed class MenuOptions
{
    /// <summary>The currency (ISO 4217) of a tenant's default menu until its admins set another.</summary>
    public string DefaultCurrency { get; set; } = "USD";
}

/// <summary><c>/api/orders/{tenantId}/menu</c>: read it (premium blends only with the feature), replace it (the tenant's admins).</summary>
internal static partial class MenuApi
{
    public const int MaxItems = 100;
    public const int MaxExtras = 30;
    public const decimal MaxPrice = 1_000_000m;

    public static RouteGroupBuilder MapMenuApi(this RouteGroupBuilder api)
    {
        var menu = api.MapGroup("/{tenantId}/menu").RequireTenantAccess();
        menu.MapGet(string.Empty, Get).WithName("GetMenu").WithSummary("The tenant's menu, prices computed by the server in the menu's currency.");
        menu.MapPut(string.Empty, Replace).WithName("ReplaceMenu").WithSummary("Replaces the tenant's menu (its admins); If-Match with the menu's ETag guards concurrent edits.");
        return api;
    }

    /// <summary>The tenant's menu, seeded with the defaults on first use.</summary>
    public static async Task<TenantMenu> LoadOrSeed(IDocumentSession session, string tenantId, MenuOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await session.LoadAsync<TenantMenu>(tenantId, cancellationToken) is { } existing)
        {
            return existing;
        }

        var seeded = TenantMenu.Default(tenantId, Currencies.IsKnown(options.DefaultCurrency) ? options.DefaultCurrency : "USD", clock.GetUtcNow());
        session.Insert(seeded);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (OrdersApi.IsDuplicate(ex))
        {
            session.Eject(seeded);
            await using var query = session.DocumentStore.QuerySession();
            return (await query.LoadAsync<TenantMenu>(tenantId, cancellationToken))!;
        }

        return seeded;
    }

    private static async Task<Ok<MenuView>> Get(string tenantId, HttpContext http, IDocumentSession session, IOptions<MenuOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var menu = await LoadOrSeed(session, tenantId, options.Value, clock, cancellationToken);
        var coffee = await session.LoadAsync<TenantCoffee>(tenantId, cancellationToken);
        http.Response.Headers.ETag = $"\"{menu.Revision}\"";
        return TypedResults.Ok(MenuView.Of(menu, showPremium: coffee?.Has(TenantCoffee.PremiumBlends) == true));
    }

    private static async Task<Results<Ok<MenuView>, ValidationProblem, ProblemHttpResult>> Replace(
        string tenantId, MenuDocument? body, HttpContext http, IDocumentSession session, IOptions<MenuOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = Validate(body);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors, "The menu is invalid.");
        }

        var menu = await LoadOrSeed(session, tenantId, options.Value, clock, cancellationToken);
        if (http.Request.Headers.IfMatch.ToString().Trim('"', ' ', 'W', '/') is { Length: > 0 } tag && tag != menu.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return ApiProblems.Problem(StatusCodes.Status412PreconditionFailed, "The menu changed since you read it.", "If-Match", $"the menu is at revision \"{menu.Revision}\"; read it again and retry");
        }

        menu.Currency = body!.Currency!;
        menu.Items = [.. body.Items!.Select(i => i!).Select(i => new MenuItem
        {
            Id = i.Id!,
            Name = i.Name!.Trim(),
            Category = i.Category?.Trim() ?? string.Empty,
            Premium = i.Premium,
            Sizes = [.. i.Sizes!.Select(s => s!).Select(s => new MenuSize { Name = s.Name!, Price = s.Price!.Value })],
        })];
        menu.Extras = [.. (body.Extras ?? []).Select(e => e!).Select(e => new MenuExtra { Id = e.Id!, Name = e.Name!.Trim(), Price = e.Price!.Value })];
        menu.Revision++;
        menu.UpdatedAt = clock.GetUtcNow();
        menu.UpdatedBy = http.User.Identity?.Name ?? "anonymous";
        session.Update(menu);
        await session.SaveChangesAsync(cancellationToken);
        http.Response.Headers.ETag = $"\"{menu.Revision}\"";
        return TypedResults.Ok(MenuView.Of(menu, showPremium: true));
    }

    internal static Dictionary<string, string[]> Validate(MenuDocument? body)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];
        if (body is null)
        {
            Add("body", "a menu document is required");
            return errors;
        }

        if (!Currencies.IsKnown(body.Currency))
        {
            Add("currency", $"must be an ISO 4217 code the service prices in ({string.Join(", ", Currencies.Known.Order(StringComparer.Ordinal))})");
        }

        if (body.Items is not { Count: > 0 and <= MaxItems })
        {
            Add("items", $"must list between 1 and {MaxItems} items");
        }

        var currency = Currencies.IsKnown(body.Currency) ? body.Currency! : null;
        void Price(string field, decimal? price)
        {
            if (price is not { } value || value <= 0 || value > MaxPrice)
            {
                Add(field, $"must be a price above 0 and at most {MaxPrice}");
            }
            else if (currency is not null && !Currencies.IsExact(value, currency))
            {
                Add(field, $"must have at most {Currencies.MinorUnitsOf(currency)} decimals in {currency}");
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (body.Items?.Count ?? 0) && i < MaxItems; i++)
        {
            var item = body.Items![i];
            var at = $"items[{i}]";
            if (item is null)
            {
                Add(at, "must be an item");
                continue;
            }

            if (item.Id is null || !Slug().IsMatch(item.Id))
            {
                Add($"{at}.id", "must be 1-40 lowercase letters, digits or dashes, starting with a letter or digit");
            }
            else if (!ids.Add(item.Id))
            {
                Add($"{at}.id", $"'{item.Id}' is listed twice");
            }

            Name($"{at}.name", item.Name, Add);
            if (item.Category is { Length: > 40 })
            {
                Add($"{at}.category", "must be at most 40 characters");
            }

            if (item.Sizes is not { Count: > 0 and <= 6 })
            {
                Add($"{at}.sizes", "must list between 1 and 6 sizes");
                continue;
            }

            var sizes = new HashSet<string>(StringComparer.Ordinal);
            for (var s = 0; s < item.Sizes.Count; s++)
            {
                var size = item.Sizes[s];
                if (size?.Name is null || !Slug().IsMatch(size.Name))
                {
                    Add($"{at}.sizes[{s}].name", "must be 1-40 lowercase letters, digits or dashes");
                }
                else if (!sizes.Add(size.Name))
                {
                    Add($"{at}.sizes[{s}].name", $"'{size.Name}' is listed twice");
                }

                Price($"{at}.sizes[{s}].price", size?.Price);
            }
        }

        if (body.Extras is { Count: > MaxExtras })
        {
            Add("extras", $"must list at most {MaxExtras} extras");
        }

        var extras = new HashSet<string>(StringComparer.Ordinal);
        for (var e = 0; e < Math.Min(body.Extras?.Count ?? 0, MaxExtras); e++)
        {
            var extra = body.Extras![e];
            if (extra?.Id is null || !Slug().IsMatch(extra.Id))
            {
                Add($"extras[{e}].id", "must be 1-40 lowercase letters, digits or dashes");
            }
            else if (!extras.Add(extra.Id))
            {
                Add($"extras[{e}].id", $"'{extra.Id}' is listed twice");
            }

            Name($"extras[{e}].name", extra?.Name, Add);
            Price($"extras[{e}].price", extra?.Price);
        }

        return errors;
    }

    private static void Name(string field, string? name, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 80 || name.Any(char.IsControl))
        {
            add(field, "must be 1-80 characters without control characters");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    internal static partial Regex Slug();
}

public sealed record MenuDocument(string? Currency, List<MenuItemDocument?>? Items, List<MenuExtraDocument?>? Extras);

public sealed record MenuItemDocument(string? Id, string? Name, string? Category, bool Premium, List<MenuSizeDocument?>? Sizes);

public sealed record MenuSizeDocument(string? Name, decimal? Price);

public sealed record MenuExtraDocument(string? Id, string? Name, decimal? Price);

public sealed record MenuView(string TenantId, string Currency, int Revision, IReadOnlyList<MenuItem> Items, IReadOnlyList<MenuExtra> Extras)
{
    public static MenuView Of(TenantMenu menu, bool showPremium) =>
        new(menu.Id, menu.Currency, menu.Revision, [.. menu.Items.Where(i => showPremium || !i.Premium)], menu.Extras);
}
