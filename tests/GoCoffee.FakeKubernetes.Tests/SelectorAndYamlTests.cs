using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes.Tests;

public sealed class SelectorAndYamlTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front" };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web,tier=front", true)]
    [InlineData("app=web,tier=back", false)]
    [InlineData("app!=api", true)]
    [InlineData("app!=web", false)]
    [InlineData("tier", true)]
    [InlineData("!tier", false)]
    [InlineData("!missing", true)]
    [InlineData("app in (api, web)", true)]
    [InlineData("app notin (api,web)", false)]
    [InlineData("missing notin (x)", true)]
    public void Label_selectors(string selector, bool matches) =>
        Assert.Equal(matches, LabelSelector.Parse(selector).Matches(Labels));

    [Fact]
    public void Yaml_scalars_follow_kubernetes_rules()
    {
        var obj = Yaml.ParseObject("""
            a: 1
            b: "1"
            c: true
            d: yes
            e: ~
            f: 1.5
            g: hello
            h: [x, 'y']
            """);
        Assert.Equal(JsonNode.Parse("""{"a":1,"b":"1","c":true,"d":true,"e":null,"f":1.5,"g":"hello","h":["x","y"]}"""), obj, JsonNode.DeepEquals);
    }
}
