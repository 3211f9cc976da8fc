namespace GoCoffee.Testing;

/// <summary>
/// The seed document's YAML examples, verbatim, from the repository's <c>examples/</c> folder (copied into every test
/// and benchmark output as <c>examples/</c>), so the tests break if the platform stops accepting what the seed promises.
/// </summary>
public static class SeedDocuments
{
    public static string EnterpriseTenantYaml => Example("tenant-enterprise-customer-1.yaml");

    public static string CoffeeRecommendationAiYaml => Example("aiworkload-coffee-recommendation-ai.yaml");

    public static string Example(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "examples", fileName);
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"examples/{fileName} is not in the build output: is it in the repository's examples/ folder?", path);
    }
}
