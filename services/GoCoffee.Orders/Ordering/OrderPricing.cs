using GoCoffee.Orders.Menu;
using GoCoffee.Orders.Tenants;

namespace GoCoffee.Orders.Ordering;

public sealed record PlaceOrderRequest(List<OrderLineRequest?>? Items, string? PickupName);

/// <summary>One line as a client orders it: what, which size, how many, which extras, optional free text. Prices are never read from it.</summary>
public sealed record OrderLineRequest(string? ItemId, string? Size, int? Quantity, List<string?>? Extras, string? Note);

/// <summary>Turns a request into priced lines from the tenant's menu: the server computes every price.</summary>
internal static class OrderPricing
{
    public const int MaxExtrasPerLine = 5;
    public const int MaxNoteLength = 200;

    public sealed record Priced(List<OrderLine> Lines, decimal Total, string Currency);

    /// <summary>The priced order, or the field errors (400) or the feature it needs (403).</summary>
    public static (Priced? Order, Dictionary<string, string[]> Errors, (string Feature, string Field)? MissingFeature) Price(
        PlaceOrderRequest request, TenantMenu menu, TenantCoffee coffee, OrderOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];
        (string, string)? missing = null;

        if (request.PickupName is { } pickup && (pickup.Trim().Length is 0 or > 40 || pickup.Any(char.IsControl)))
        {
            Add("pickupName", "must be 1-40 characters without control characters");
        }

        if (request.Items is not { Count: > 0 } || request.Items.Count > options.MaxLines)
        {
            Add("items", $"must list between 1 and {options.MaxLines} lines");
            return (null, errors, null);
        }

        var lines = new List<OrderLine>();
        for (var i = 0; i < request.Items.Count; i++)
        {
            var at = $"items[{i}]";
            if (request.Items[i] is not { } line)
            {
                Add(at, "must be an order line");
                continue;
            }

            var item = line.ItemId is null ? null : menu.Item(line.ItemId);
            if (item is null)
            {
                Add($"{at}.itemId", line.ItemId is null ? "is required" : $"'{ApiClip(line.ItemId)}' is not on the tenant's menu");
                continue;
            }

            if (item.Premium && !coffee.Has(TenantCoffee.PremiumBlends))
            {
                missing ??= (TenantCoffee.PremiumBlends, $"{at}.itemId");
                continue;
            }

            var size = line.Size is null ? (item.Sizes.Count == 1 ? item.Sizes[0] : null) : item.Sizes.FirstOrDefault(s => s.Name == line.Size);
            if (size is null)
            {
                Add($"{at}.size", $"must be one of {string.Join(", ", item.Sizes.Select(s => s.Name))} for {item.Id}");
                continue;
            }

            if (line.Quantity is not { } quantity || quantity < 1 || quantity > options.MaxQuantity)
            {
                Add($"{at}.quantity", $"must be between 1 and {options.MaxQuantity}");
                continue;
            }

            var extras = new List<OrderExtra>();
            if (line.Extras is { Count: > MaxExtrasPerLine })
            {
                Add($"{at}.extras", $"must list at most {MaxExtrasPerLine} extras");
                continue;
            }

            foreach (var (extraId, e) in (line.Extras ?? []).Select((x, e) => (x, e)))
            {
                if (extraId is null || menu.Extra(extraId) is not { } extra)
                {
                    Add($"{at}.extras[{e}]", extraId is null ? "must be an extra's id" : $"'{ApiClip(extraId)}' is not an extra on the tenant's menu");
                }
                else if (extras.Any(x => x.Id == extra.Id))
                {
                    Add($"{at}.extras[{e}]", $"'{extra.Id}' is listed twice");
                }
                else
                {
                    extras.Add(new OrderExtra { Id = extra.Id, Name = extra.Name, Price = extra.Price });
                }
            }

            if (line.Note is not null)
            {
                if (!coffee.Has(TenantCoffee.CustomOrders))
                {
                    missing ??= (TenantCoffee.CustomOrders, $"{at}.note");
                    continue;
                }

                if (line.Note.Trim().Length is 0 or > MaxNoteLength || line.Note.Any(c => char.IsControl(c) && c != '\n'))
                {
                    Add($"{at}.note", $"must be 1-{MaxNoteLength} characters without control characters");
                    continue;
                }
            }

            var unit = size.Price + extras.Sum(x => x.Price);
            lines.Add(new OrderLine
            {
                ItemId = item.Id,
                Name = item.Name,
                Size = size.Name,
                Quantity = quantity,
                UnitPrice = unit,
                Extras = extras,
                Note = line.Note?.Trim(),
                LineTotal = Currencies.Round(unit * quantity, menu.Currency),
            });
        }

        if (errors.Count > 0 || missing is not null)
        {
            return (null, errors, missing);
        }

        return (new Priced(lines, Currencies.Round(lines.Sum(l => l.LineTotal), menu.Currency), menu.Currency), errors, null);
    }

    private static string ApiClip(string value) => Api.ApiProblems.Clip(value);
}
