using GoCoffee.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

builder.AddMachineBrokerLogins();
builder.AddGoCoffeePlatform();

builder.Build().Run();
