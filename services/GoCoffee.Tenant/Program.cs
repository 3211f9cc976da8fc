using GoCoffee.Tenant;
using GoCoffee.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddTenantService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTenantApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
