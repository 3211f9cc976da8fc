using GoCoffee.Observability;
using GoCoffee.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddObservabilityService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapObservabilityApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
