using GoCoffee.Gateway;
using GoCoffee.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGateway();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
