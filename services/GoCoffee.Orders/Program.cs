using GoCoffee.Orders;
using GoCoffee.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddOrdersService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOrdersApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
