using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoCoffee.Testing;
using static GoCoffee.Tenant.Tests.TenantApiTests;

namespace GoCoffee.Tenant.Tests;

/// <summary>What a client may rely on: a repeated request answers as the first did.</summary>
public sealed class IdempotentCreateTests(TenantHost tenants) : IClassFixture<TenantHost>
{
    [Fact]
    public async Task A_create_repeated_with_its_idempotency_key_answers_the_same_status_location_and_body_without_the_key_and_says_it_is_a_replay()
    {
        var document = Document("replayed", "basic");
        using var first = await tenants.PostJson(document, idempotencyKey: "replay-1");
        using var repeated = await tenants.PostJson(document, idempotencyKey: "replay-1");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, repeated.StatusCode);
        Assert.Equal(first.Headers.Location, repeated.Headers.Location);
        Assert.False(first.Headers.Contains("Idempotency-Replayed"), "the first answer is not a replay");
        Assert.Equal("true", Assert.Single(repeated.Headers.GetValues("Idempotency-Replayed")));

        using var original = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        using var replay = JsonDocument.Parse(await repeated.Content.ReadAsStringAsync());
        Assert.False(original.RootElement.GetProperty("replayed").GetBoolean());
        Assert.True(replay.RootElement.GetProperty("replayed").GetBoolean());

        // The tenant as the first request created it, metadata included.
        Assert.Equal(original.RootElement.GetProperty("tenant").GetProperty("metadata").GetRawText(), replay.RootElement.GetProperty("tenant").GetProperty("metadata").GetRawText());
        Assert.Equal(original.RootElement.GetProperty("tenant").GetProperty("spec").GetRawText(), replay.RootElement.GetProperty("tenant").GetProperty("spec").GetRawText());

        // The same key, but never its secret twice: the replay names it and says why the secret is missing.
        var issued = original.RootElement.GetProperty("apiKey");
        var replayedKey = replay.RootElement.GetProperty("apiKey");
        Assert.StartsWith("gck_", issued.GetProperty("key").GetString());
        Assert.Equal(issued.GetProperty("id").GetString(), replayedKey.GetProperty("id").GetString());
        Assert.False(replayedKey.TryGetProperty("key", out var secret) && secret.ValueKind != JsonValueKind.Null, $"a replay shows the key again: {replayedKey}");
        Assert.Contains("shown once", replayedKey.GetProperty("note").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(issued.GetProperty("key").GetString()!, await repeated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

}

/// <summary>A tenant's <c>metadata.resourceVersion</c> only grows, and is its ETag, whichever answer carries it.</summary>
public sealed class ResourceVersionTests(PlatformWithFakeKubernetes platform) : IClassFixture<PlatformWithFakeKubernetes>
{
    [Fact]
    public async Task A_tenants_resource_version_equals_its_etag_and_never_goes_back_from_create_to_read_to_change()
    {
        using var created = await platform.Client.PostAsync("/api/tenants", new StringContent(Document("versioned", "basic"), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        using var createdBody = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var atCreate = ResourceVersion(createdBody.RootElement.GetProperty("tenant"));
        Assert.True(atCreate > 0, $"a created tenant has a version: {atCreate}");
        Assert.Equal($"\"{atCreate}\"", created.Headers.ETag?.Tag);

        var seen = atCreate;
        var read = await ReadTenant("versioned");
        Assert.True(read.Version >= seen, $"read right after create answered resourceVersion {read.Version}, create answered {seen}");
        Assert.Equal($"\"{read.Version}\"", read.ETag);
        seen = read.Version;

        await platform.WaitForPhase("versioned", "Active");
        var active = await ReadTenant("versioned");
        Assert.True(active.Version > seen, $"provisioning changed the tenant but its resourceVersion went {seen} → {active.Version}");
        Assert.Equal($"\"{active.Version}\"", active.ETag);
        seen = active.Version;

        using var change = new HttpRequestMessage(HttpMethod.Patch, "/api/tenants/versioned") { Content = JsonContent.Create(new { displayName = "Versioned" }) };
        change.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue($"\"{seen}\""));
        using var changed = await platform.Client.SendAsync(change);
        Assert.Equal(HttpStatusCode.Accepted, changed.StatusCode);
        using var changedBody = JsonDocument.Parse(await changed.Content.ReadAsStringAsync());
        var afterChange = ResourceVersion(changedBody.RootElement);
        Assert.True(afterChange > seen, $"a change answered resourceVersion {afterChange} after {seen}");
        Assert.Equal($"\"{afterChange}\"", changed.Headers.ETag?.Tag);

        var reread = await ReadTenant("versioned");
        Assert.True(reread.Version >= afterChange, $"read after the change answered {reread.Version}, the change {afterChange}");
        Assert.Equal($"\"{reread.Version}\"", reread.ETag);
    }

    private async Task<(long Version, string? ETag, string Phase)> ReadTenant(string id)
    {
        using var response = await platform.Client.GetAsync($"/api/tenants/{id}");
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (ResourceVersion(body.RootElement), response.Headers.ETag?.Tag, body.RootElement.GetProperty("status").GetProperty("phase").GetString()!);
    }

    private static long ResourceVersion(JsonElement tenant) => long.Parse(tenant.GetProperty("metadata").GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
}
