namespace GoCoffee.Orders.Menu;

/// <summary>The ISO 4217 currencies a menu may be priced in, with their minor units (JPY has none, KWD three).</summary>
public static class Currencies
{
    private static readonly Dictionary<string, int> MinorUnits = new(StringComparer.Ordinal)
    {
        ["AUD"] = 2, ["BHD"] = 3, ["BRL"] = 2, ["CAD"] = 2, ["CHF"] = 2, ["CNY"] = 2, ["CZK"] = 2, ["DKK"] = 2, ["EUR"] = 2,
        ["GBP"] = 2, ["HKD"] = 2, ["HUF"] = 2, ["INR"] = 2, ["ISK"] = 0, ["JPY"] = 0, ["KRW"] = 0, ["KWD"] = 3, ["MXN"] = 2,
        ["NOK"] = 2, ["NZD"] = 2, ["PLN"] = 2, ["SEK"] = 2, ["SGD"] = 2, ["TRY"] = 2, ["UAH"] = 2, ["USD"] = 2, ["ZAR"] = 2,
    };

    public static IReadOnlyCollection<string> Known => MinorUnits.Keys;

    public static bool IsKnown(string? code) => code is not null && MinorUnits.ContainsKey(code);

    public static int MinorUnitsOf(string code) => MinorUnits[code];

    /// <summary>True when <paramref name="amount"/> has no more decimals than <paramref name="currency"/> has minor units.</summary>
    public static bool IsExact(decimal amount, string currency) => decimal.Round(amount, MinorUnitsOf(currency)) == amount;

    public static decimal Round(decimal amount, string currency) => decimal.Round(amount, MinorUnitsOf(currency), MidpointRounding.ToEven);
}
