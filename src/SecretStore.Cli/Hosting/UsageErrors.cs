using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SecretStore.Cli.Hosting;

/// <summary>
/// Words System.CommandLine's parse errors so that they never repeat what was typed as an argument. A value
/// typed on the command line by mistake (<c>secretstore set App/Name hunter2</c>) would otherwise come back
/// as <c>Unrecognized command or argument 'hunter2'</c> in a CI log, and a value can be mistyped in any
/// command, so this holds for every command: an unknown argument is named by its position only, and an
/// error message that contains any typed argument text is replaced by one that names the option or argument.
/// </summary>
internal static class UsageErrors
{
    /// <summary>The reason given wherever typed text is left out.</summary>
    public const string NotRepeated = "not repeated here, as it may be a secret value";

    /// <summary>How <c>set</c> takes a value, said whenever <c>set</c> gets an argument it does not know.</summary>
    public const string SetReadsStandardInput =
        "'secretstore set' reads the value from standard input only, never from the command line: printf '%s' \"$V\" | secretstore set <app>/<name> (on a terminal it prompts without echo).";

    /// <summary>The messages for a parse that has errors, in the order to report them.</summary>
    public static IReadOnlyList<string> Describe(ParseResult parse, IReadOnlyList<string> args)
    {
        var command = CommandPath(parse.CommandResult);
        var typed = TypedText(parse, args);
        var unmatched = parse.UnmatchedTokens.Where(t => t.Length > 0).ToList();
        var messages = new List<string>();
        if (parse.UnmatchedTokens.Count > 0)
        {
            var positions = Positions(args, parse.UnmatchedTokens);
            var where = positions.Count == 0 ? string.Empty : $" (position{(positions.Count > 1 ? "s" : string.Empty)} {string.Join(", ", positions)} of the command line)";
            messages.Add(string.Create(CultureInfo.InvariantCulture, $"'{command}' got {parse.UnmatchedTokens.Count} argument(s) it does not know{where}: an unknown option, or a value typed where none belongs; {NotRepeated}."));
            if (parse.CommandResult.Command.Name == "set")
            {
                messages.Add(SetReadsStandardInput);
            }

            if (SuggestCommand(parse.CommandResult.Command, command, unmatched) is { } suggestion)
            {
                messages.Add(suggestion);
            }
        }

        foreach (var error in parse.Errors)
        {
            // The unknown arguments are covered by the message above, one for all of them.
            if (unmatched.Any(token => error.Message.Contains(token, StringComparison.Ordinal)))
            {
                continue;
            }

            // A message is shown as System.CommandLine words it only when it holds no typed argument text
            // (a short argument such as "1" may make an innocent message fall back; that errs the safe way).
            var message = typed.Any(text => error.Message.Contains(text, StringComparison.Ordinal)) ? Reworded(error, command) : error.Message;
            if (!messages.Contains(message, StringComparer.Ordinal))
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    /// <summary>
    /// "Did you mean 'set'?" when an unknown argument of a command that has subcommands (the root, <c>keys</c>,
    /// <c>table</c>) is one typo from one of them. Only the command's own name is shown, never the typed text.
    /// </summary>
    private static string? SuggestCommand(Command command, string path, IReadOnlyList<string> unmatched)
    {
        if (command.Subcommands.Count == 0 || unmatched.FirstOrDefault(t => !t.StartsWith('-')) is not { } first)
        {
            return null;
        }

        var names = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        return SecretStore.Diagnostics.NearMiss.Suggest(first, names) is { } near
            ? $"Did you mean '{path} {near}'? ('{path} --help' lists the commands.)"
            : null;
    }

    private static string Reworded(ParseError error, string command) => error.SymbolResult switch
    {
        OptionResult option => $"The value given for option '{option.Option.Name}' of '{command}' is not valid ({NotRepeated}).",
        ArgumentResult argument => $"The value given for argument <{argument.Argument.Name}> of '{command}' is not valid ({NotRepeated}).",
        _ => $"The command line of '{command}' is not valid ({NotRepeated}).",
    };

    /// <summary>Every piece of text the user typed that is not the name of a command or option.</summary>
    private static HashSet<string> TypedText(ParseResult parse, IReadOnlyList<string> args)
    {
        var names = parse.Tokens.Where(t => t.Type is TokenType.Command or TokenType.Option or TokenType.DoubleDash).Select(t => t.Value).ToHashSet(StringComparer.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in args.Concat(parse.Tokens.Where(t => t.Type == TokenType.Argument).Select(t => t.Value)).Concat(parse.UnmatchedTokens))
        {
            if (text.Length > 0 && !names.Contains(text))
            {
                typed.Add(text);
            }
        }

        return typed;
    }

    /// <summary>The 1-based positions of the unknown arguments in the command line (a number never holds a value).</summary>
    private static List<int> Positions(IReadOnlyList<string> args, IReadOnlyList<string> unmatched)
    {
        var positions = new List<int>();
        var from = 0;
        foreach (var token in unmatched)
        {
            for (var i = from; i < args.Count; i++)
            {
                if (string.Equals(args[i], token, StringComparison.Ordinal))
                {
                    positions.Add(i + 1);
                    from = i + 1;
                    break;
                }
            }
        }

        return positions;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Add(command.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
