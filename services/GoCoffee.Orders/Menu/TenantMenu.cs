namespace GoCoffee.Orders.Menu;

/// <summary>A tenant's menu: what it sells, in which sizes, with which extras, at which prices (one ISO 4217 currency).</summary>
public sealed class TenantMenu
{
    /// <summary>The tenant id.</summary>
    public string Id { get; set; } = string.Empty;

    public string Currency { get; set; } = "USD";

    public List<MenuItem> Items { get; set; } = [];

    public List<MenuExtra> Extras { get; set; } = [];

    /// <summary>Counts replacements: the ETag that If-Match compares.</summary>
    public int Revision { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = string.Empty;

    public MenuItem? Item(string id) => Items.FirstOrDefault(i => string.Equals(i.Id, id, StringComparison.Ordinal));

    public MenuExtra? Extra(string id) => Extras.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.Ordinal));

    /// <summary>The menu a new tenant starts with, priced in <paramref name="currency"/> (scaled for currencies without cents).</summary>
    public static TenantMenu Default(string tenantId, string currency, DateTimeOffset now)
    {
        var scale = Currencies.MinorUnitsOf(currency) == 0 ? 100m : 1m;
        decimal P(decimal amount) => Currencies.Round(amount * scale, currency);
        MenuItem Drink(string id, string name, string category, bool premium, params (string Size, decimal Price)[] sizes) =>
            new() { Id = id, Name = name, Category = category, Premium = premium, Sizes = [.. sizes.Select(s => new MenuSize { Name = s.Size, Price = P(s.Price) })] };

        return new TenantMenu
        {
            Id = tenantId,
            Currency = currency,
            Items =
            [
                Drink("espresso", "Espresso", "espresso", false, ("single", 2.50m), ("double", 3.20m)),
                Drink("americano", "Americano", "espresso", false, ("small", 3.00m), ("medium", 3.50m), ("large", 4.00m)),
                Drink("latte", "Caffè latte", "milk", false, ("small", 3.80m), ("medium", 4.30m), ("large", 4.80m)),
                Drink("cappuccino", "Cappuccino", "milk", false, ("small", 3.60m), ("medium", 4.10m), ("large", 4.60m)),
                Drink("flat-white", "Flat white", "milk", false, ("regular", 4.00m)),
                Drink("macchiato", "Macchiato", "espresso", false, ("single", 3.00m), ("double", 3.60m)),
                Drink("mocha", "Mocha", "milk", false, ("small", 4.20m), ("medium", 4.70m), ("large", 5.20m)),
                Drink("cold-brew", "Cold brew", "cold", false, ("medium", 4.50m), ("large", 5.00m)),
                Drink("geisha-pour-over", "Panama Geisha pour-over", "premium", true, ("regular", 9.50m)),
                Drink("blue-mountain", "Jamaica Blue Mountain", "premium", true, ("small", 7.50m), ("large", 9.00m)),
            ],
            Extras =
            [
                new MenuExtra { Id = "extra-shot", Name = "Extra shot", Price = P(0.60m) },
                new MenuExtra { Id = "oat-milk", Name = "Oat milk", Price = P(0.50m) },
                new MenuExtra { Id = "vanilla-syrup", Name = "Vanilla syrup", Price = P(0.40m) },
                new MenuExtra { Id = "caramel-syrup", Name = "Caramel syrup", Price = P(0.40m) },
                new MenuExtra { Id = "whipped-cream", Name = "Whipped cream", Price = P(0.50m) },
            ],
            UpdatedAt = now,
            UpdatedBy = "system:default-menu",
        };
    }
}

public sealed class MenuItem
{
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Category { get; set; } = string.Empty;

    /// <summary>A premium blend: visible and orderable only with the tenant's <c>premium-blends</c> feature.</summary>
    public bool Premium { get; set; }

    public List<MenuSize> Sizes { get; set; } = [];
}

public sealed class MenuSize
{
    public string Name { get; set; } = string.Empty;

    public decimal Price { get; set; }
}

public sealed class MenuExtra
{
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public decimal Price { get; set; }
}
