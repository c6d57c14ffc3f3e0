using System.CommandLine;
using SecretStore.Cli.Hosting;
using SecretStore.Diagnostics;
using SecretStore.Variables;

namespace SecretStore.Cli.Options;

/// <summary>Which secrets become which variables, shared by <c>run</c> and <c>export</c>, translated into the engine's <see cref="VariableOptions"/>.</summary>
internal sealed class VariableSelectionOptions
{
    public Option<string[]> Map { get; } = new("--map")
    {
        Description = "NAME=App/Secret (or NAME=Secret of the default application): set variable NAME to the secret (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> App { get; } = new("--app")
    {
        Description = "Every secret of the application, named by the rule '.' and ':' become '__' (ConnectionStrings.Default -> ConnectionStrings__Default), repeatable. Without --map and --app, the settings file's \"variables\" are used.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> Prefix { get; } = new("--prefix") { Description = "Put in front of the names made for --app (APP_ gives APP_ConnectionStrings__Default)." };

    public Option<bool> Strict { get; } = new("--strict")
    {
        Description = "A missing secret fails before anything is started or written (default: true); --strict false turns it into warning SSB4007 and leaves the variable unset.",
        DefaultValueFactory = _ => true,
        Arity = ArgumentArity.ZeroOrOne,
    };

    public IEnumerable<Option> All => [Map, App, Prefix, Strict];

    public VariableOptions ToOptions(CliContext context, ParseResult parse)
    {
        var mappings = new List<VariableMapping>();
        foreach (var text in parse.GetValue(Map) ?? [])
        {
            try
            {
                mappings.Add(VariableMapping.Parse(text, "--map"));
            }
            catch (SecretStoreException ex)
            {
                throw new UsageException(ex.Diagnostics[0].Message);
            }
        }

        return new VariableOptions
        {
            Store = context.StoreOptions.ToSelection(parse, context.Environment),
            Mappings = mappings,
            Applications = parse.GetValue(App) ?? [],
            Prefix = parse.GetValue(Prefix),
            Strict = parse.GetValue(Strict),
        };
    }
}
