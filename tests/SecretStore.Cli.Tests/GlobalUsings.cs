// The shared helpers (temp folders, the process runner, the canary scanner) live once in tests/SecretStore.Testing,
// for every test project.
global using SecretStore.Testing;
