using GoCoffee.ClusterAgent;
using GoCoffee.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddClusterAgentService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapClusterAgentApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
