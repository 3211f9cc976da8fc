using GoCoffee.Web3;
using GoCoffee.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddWeb3Service();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapWeb3Api();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
