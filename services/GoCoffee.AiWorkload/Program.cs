using GoCoffee.AiWorkload;
using GoCoffee.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddAiWorkloadService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAiWorkloadApi();
app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
