var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

// Shows which settings are present, never their values.
app.MapGet("/", (IConfiguration configuration) => new
{
    connectionString = configuration.GetConnectionString("Default") is { Length: > 0 } ? "set" : "missing",
    apiToken = configuration["Api:Token"] is { Length: > 0 } ? "set" : "missing",
});

app.Run();
