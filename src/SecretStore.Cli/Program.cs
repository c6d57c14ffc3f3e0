using SecretStore.Cli.Hosting;

// Exit codes (docs/cli.md): 0 ok, 1 resolution or store errors, 2 usage errors.
return await CliApplication.RunAsync(args, CliConsole.FromProcess()).ConfigureAwait(false);
