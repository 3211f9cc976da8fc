using Marten;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// A MassTransit saga repository on Marten (MassTransit.Marten is not served here). It uses the message scope's
/// <see cref="IDocumentSession"/>, so the saga's new state, its outbox messages and the inbox entry commit together.
/// Saga documents use Marten's optimistic concurrency (<see cref="MartenSagaStoreOptions.AddSaga{TSaga}"/>): a
/// concurrent update fails the commit and the message is retried against the fresh state — no update is lost.
/// A new instance is inserted, never upserted, so two "first" events for one saga cannot both create it.
/// </summary>
public sealed class MartenSagaRepositoryContextFactory<TSaga>(
    IDocumentSession session,
    ISagaConsumeContextFactory<IDocumentSession, TSaga> factory) :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
{
    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new MartenSagaQueryContext<TSaga>(session, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new MartenSagaQueryContext<TSaga>(session, cancellationToken));

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        next.Send(new MartenSagaRepositoryContext<TSaga, T>(session, context, factory));

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        var instances = await session.Query<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
        var repositoryContext = new MartenSagaRepositoryContext<TSaga, T>(session, context, factory);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances.ToList()));
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "marten");
}

internal sealed class MartenSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    private readonly IDocumentSession session;
    private readonly ConsumeContext<TMessage> consumeContext;
    private readonly ISagaConsumeContextFactory<IDocumentSession, TSaga> factory;

    public MartenSagaRepositoryContext(IDocumentSession session, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<IDocumentSession, TSaga> factory)
        : base(consumeContext)
    {
        this.session = session;
        this.consumeContext = consumeContext;
        this.factory = factory;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> context, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        factory.CreateSagaConsumeContext(session, context, instance, mode);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        factory.CreateSagaConsumeContext(session, consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        session.Insert(instance);
        await session.SaveChangesAsync(CancellationToken);
        return await factory.CreateSagaConsumeContext(session, consumeContext, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await session.LoadAsync<TSaga>(correlationId, CancellationToken);
        return instance is null
            ? null!
            : await factory.CreateSagaConsumeContext(session, consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public Task Save(SagaConsumeContext<TSaga> context)
    {
        session.Insert(context.Saga);
        return session.SaveChangesAsync(CancellationToken);
    }

    public Task Update(SagaConsumeContext<TSaga> context)
    {
        session.Update(context.Saga);
        return session.SaveChangesAsync(CancellationToken);
    }

    public Task Delete(SagaConsumeContext<TSaga> context)
    {
        session.Delete(context.Saga);
        return session.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        session.Eject(context.Saga);
        return Task.CompletedTask;
    }
}

internal sealed class MartenSagaQueryContext<TSaga>(IQuerySession session, CancellationToken cancellationToken) :
    BasePipeContext(cancellationToken),
    QuerySagaRepositoryContext<TSaga>,
    LoadSagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    public async Task<TSaga> Load(Guid correlationId) => (await session.LoadAsync<TSaga>(correlationId, CancellationToken))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        var instances = await session.Query<TSaga>().Where(query.FilterExpression).ToListAsync(cancellationToken);
        return new LoadedSagaRepositoryQueryContext<TSaga>(this, instances.ToList());
    }
}

public static class MartenSagaStoreOptions
{
    /// <summary>Registers a saga state document: identity is the correlation id, updates are optimistic.</summary>
    public static StoreOptions AddSaga<TSaga>(this StoreOptions options)
        where TSaga : class, ISaga
    {
        options.Schema.For<TSaga>().Identity(x => x.CorrelationId).UseOptimisticConcurrency(true);
        return options;
    }

    /// <summary>Stores this saga with <see cref="MartenSagaRepositoryContextFactory{TSaga}"/>.</summary>
    public static ISagaRegistrationConfigurator<TSaga> MartenRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
        configurator.Repository(repository =>
        {
            repository.RegisterLoadSagaRepository<TSaga, MartenSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterQuerySagaRepository<TSaga, MartenSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterSagaRepository<TSaga, IDocumentSession, SagaConsumeContextFactory<IDocumentSession, TSaga>, MartenSagaRepositoryContextFactory<TSaga>>();
        });
        return configurator;
    }
}
