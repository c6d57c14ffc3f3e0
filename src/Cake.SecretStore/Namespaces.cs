using Cake.Core.Annotations;

// Scripts see the settings, the engine's provider enum and result types without their own `using`.
[assembly: CakeNamespaceImport("Cake.SecretStore")]
[assembly: CakeNamespaceImport("SecretStore.Configuration")]
[assembly: CakeNamespaceImport("SecretStore.Resolution")]
[assembly: CakeNamespaceImport("SecretStore.Resolution.Reporting")]
