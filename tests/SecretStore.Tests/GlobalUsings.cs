// The shared engine helpers (temp folders, the test keyring, a file store in a temp folder) live in
// tests/SecretStore.Testing so that every test project uses the same ones.
global using SecretStore.Testing;
global using SecretStore.Testing.Stores;
