using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;

// Reports which settings are present, never their values.
static string State(string? value) =>
    string.IsNullOrEmpty(value) || value.Contains("#{secret:", StringComparison.Ordinal) ? "missing" : "set";

var configPath = Assembly.GetEntryAssembly()!.Location + ".config";
var appSettings = XDocument.Load(configPath).Root!.Element("appSettings")!;
var queuePassword = appSettings.Elements("add").FirstOrDefault(e => (string?)e.Attribute("key") == "QueuePassword")?.Attribute("value")?.Value;
Console.WriteLine($"WorkerApp.dll.config QueuePassword: {State(queuePassword)}");

using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "appsettings.json")));
Console.WriteLine($"appsettings.json Storage:AccessKey: {State(json.RootElement.GetProperty("Storage").GetProperty("AccessKey").GetString())}");
Console.WriteLine($"AWSSDK.Core used by the app: {typeof(Amazon.Runtime.AWSCredentials).Assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version}");
