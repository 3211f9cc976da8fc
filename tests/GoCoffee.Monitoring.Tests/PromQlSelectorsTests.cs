namespace GoCoffee.Monitoring.Tests;

/// <summary>The tokenizer the end-to-end proof uses to find what each rule and panel queries.</summary>
public sealed class PromQlSelectorsTests
{
    [Fact]
    public void Selectors_of_an_aggregated_ratio_are_found_with_their_matchers_and_grouping_labels_are_not_selectors()
    {
        var selectors = PromQlSelectors.Of(
            """
            sum by (service) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[5m]))
              / sum without (instance) (rate(http_server_request_duration_seconds_count[5m])) > 0.05
            """);
        Assert.Equal(
            ["http_server_request_duration_seconds_count{http_response_status_code=~\"5..\"}", "http_server_request_duration_seconds_count{}"],
            selectors.Select(s => s.ToString()));
    }

    [Fact]
    public void Strings_durations_subqueries_offsets_keywords_and_vector_matching_are_skipped()
    {
        var selectors = PromQlSelectors.Of(
            """
            label_replace(kube_pod_status_ready{condition="false", namespace!~"kube-.*"} == 1, "tenant", "$1", "namespace", "(.+)-[0-9]+")
            and on (tenant) group_left (phase) max by (tenant) (gocoffee_tenant_phase{phase="Provisioning"} offset 5m) > bool 0
            unless deriv(sum by (tenant) (gocoffee_orders_by_status)[5m:30s]) * 1e3 < .5
            """);
        Assert.Equal(
            ["kube_pod_status_ready{condition=\"false\",namespace!~\"kube-.*\"}", "gocoffee_tenant_phase{phase=\"Provisioning\"}", "gocoffee_orders_by_status{}"],
            selectors.Select(s => s.ToString()));
    }

    [Fact]
    public void A_selector_without_metric_name_and_escaped_quotes_in_matchers_are_read()
    {
        var selector = Assert.Single(PromQlSelectors.Of("count({__name__=~\"up|ALERTS\", label=\"a \\\"quoted\\\" value\"})"));
        Assert.Null(selector.Metric);
        Assert.Equal([new LabelMatcher("__name__", "=~", "up|ALERTS"), new LabelMatcher("label", "=", "a \"quoted\" value")], selector.Matchers);
    }

    [Fact]
    public void Grouping_and_matching_labels_are_found_outside_strings_and_label_replace_destinations_count_as_created()
    {
        const string expr = """
            label_replace(max by (namespace, pod) (kube_pod_status_ready{condition="by (nothing)"}) == 1, "tenant", "$1", "namespace", "(.+)-[0-9]+")
            and on (tenant) group_left (phase) sum without (instance) (gocoffee_tenant_phase)
            """;
        Assert.Equal(["namespace", "pod", "tenant", "phase"], PromQlSelectors.GroupingLabels(expr));
        Assert.Equal(["tenant"], PromQlSelectors.CreatedLabels(expr));
    }
}
