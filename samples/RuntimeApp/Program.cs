using SecretStore.Extensions.Configuration;

var builder = WebApplication.CreateBuilder(args);

// Resolves the #{secret:...} placeholders of appsettings*.json, the environment and the command line, from the store
// that secretstore.json names for this host's environment (Development: the file store that setup-dev.sh seeds).
// A published app whose placeholders SecretStore.Build already resolved has none left, and opens no store.
builder.Configuration.AddSecretStore(options =>
{
    options.ReloadInterval = builder.Configuration.GetValue<TimeSpan?>("SecretStore:ReloadInterval");
});

var app = builder.Build();

// The typed value comes from '#{secret:Queue.Port|json}': a number, bound as an int.
app.MapGet("/", (IConfiguration configuration) => Results.Json(new
{
    greeting = configuration["Greeting"],
    queuePort = configuration.GetValue<int>("Queue:Port"),
    databaseConfigured = !string.IsNullOrEmpty(configuration.GetConnectionString("Default")),
}));

app.Run();
