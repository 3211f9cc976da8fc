using GoCoffee.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

builder.AddMachineBrokerLogins();
builder.AddMachineParameters();
builder.AddGoCoffeePlatform();

builder.Build().Run();
