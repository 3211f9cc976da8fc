using k8s.Models;

namespace GoCoffee.Resources;

/// <summary>Kubernetes quantities, parsed by the Kubernetes client's own <see cref="ResourceQuantity"/>.</summary>
public static class Quantity
{
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return false;
        }

        try
        {
            value = new ResourceQuantity(text.Trim()).ToDecimal();
            return value >= 0;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            return false;
        }
    }

    public static decimal Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a Kubernetes quantity.");

    /// <summary>CPU as millicores, e.g. 4000m, or whole cores when exact.</summary>
    public static string Cpu(long millicores) => millicores % 1000 == 0 ? (millicores / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{millicores}m";

    /// <summary>Bytes in the largest binary unit that divides them exactly (8Gi, 100Gi, 1536Mi).</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"];
        for (var i = 0; i < units.Length; i++)
        {
            var size = 1L << (10 * (units.Length - i));
            if (bytes >= size && bytes % size == 0)
            {
                return $"{bytes / size}{units[i]}";
            }
        }

        return bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
