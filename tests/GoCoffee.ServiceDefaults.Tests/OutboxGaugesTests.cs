using System.Globalization;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.Testing;
using MassTransit;

namespace GoCoffee.ServiceDefaults.Tests;

/// <summary>The outbox and saga gauges every service serves, which GoCoffeeOutboxMessagesWaiting and GoCoffeeSagaPastDeadline watch.</summary>
public sealed class OutboxGaugesTests : IsolatedTest
{
    [Fact]
    public async Task A_saga_whose_timeout_fell_due_and_was_not_delivered_is_past_its_deadline_and_the_outbox_reports_how_long_it_waits()
    {
        // No relay: what is due stays in the outbox, as when the broker is unreachable.
        await using var host = await ReliabilityHost.Start(
            Database,
            VirtualHost,
            relay: false,
            bus => bus.AddSagaStateMachine<CupStateMachine, CupState>().MartenRepository(),
            store => store.AddSaga<CupState>());
        var now = DateTimeOffset.UtcNow;
        var (overdue, onTime) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await host.Commit((session, _) =>
        {
            session.Store(new CupState { CorrelationId = Guid.NewGuid(), CurrentState = "Brewing", ServeTimeoutToken = overdue });
            session.Store(new CupState { CorrelationId = Guid.NewGuid(), CurrentState = "Brewing", ServeTimeoutToken = onTime });
            session.Store(new OutboxMessage { Id = overdue, MessageType = typeof(CupServeTimedOut).FullName!, CreatedAt = now.AddMinutes(-3), NotBefore = now.AddMinutes(-2) });
            session.Store(new OutboxMessage { Id = onTime, MessageType = typeof(CupServeTimedOut).FullName!, CreatedAt = now, NotBefore = now.AddMinutes(5) });
        });

        // The gauges are read on a timer: wait for the read that follows the commit.
        var metrics = await TestInfrastructure.Eventually(
            async () => await host.Metrics() is var text && Value(text, "gocoffee_saga_past_deadline", "saga=\"cup\"") == "1" ? text : null,
            TimeSpan.FromSeconds(30),
            "the gauges read the overdue saga");

        Assert.Equal("1", Value(metrics, "gocoffee_saga_past_deadline", "saga=\"cup\""));
        Assert.Equal("1", Value(metrics, "gocoffee_outbox_due"));
        var waiting = double.Parse(Value(metrics, "gocoffee_outbox_oldest_due_age_seconds")!, CultureInfo.InvariantCulture);
        Assert.InRange(waiting, 115, 600);
    }

    [Fact]
    public async Task With_nothing_due_the_gauges_read_zero()
    {
        await using var host = await ReliabilityHost.Start(
            Database,
            VirtualHost,
            relay: false,
            bus => bus.AddSagaStateMachine<CupStateMachine, CupState>().MartenRepository(),
            store => store.AddSaga<CupState>());
        var token = Guid.CreateVersion7();
        await host.Commit((session, _) =>
        {
            session.Store(new CupState { CorrelationId = Guid.NewGuid(), CurrentState = "Brewing", ServeTimeoutToken = token });
            session.Store(new OutboxMessage { Id = token, MessageType = typeof(CupServeTimedOut).FullName!, CreatedAt = DateTimeOffset.UtcNow, NotBefore = DateTimeOffset.UtcNow.AddMinutes(5) });
        });

        var metrics = await host.Metrics();

        Assert.Equal("0", Value(metrics, "gocoffee_saga_past_deadline", "saga=\"cup\""));
        Assert.Equal("0", Value(metrics, "gocoffee_outbox_due"));
        Assert.Equal("0", Value(metrics, "gocoffee_outbox_oldest_due_age_seconds"));
    }

    private static string? Value(string exposition, string name, params string[] labels) =>
        exposition.Split('\n')
            .Where(line => (line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal)) && labels.All(line.Contains))
            .Select(line => line[(line.Contains('}') ? line.LastIndexOf('}') + 1 : name.Length)..].Trim().Split(' ')[0])
            .FirstOrDefault();
}
