using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using SecretStore.Diagnostics;
using SecretStore.IO;

namespace SecretStore.Configuration.Settings;

/// <summary>
/// Finds and reads <c>secretstore.json</c>. Every problem is <c>SSB1021</c> naming the file, the line and the member:
/// a file that does not parse, an unknown member, a value of the wrong type or form.
/// </summary>
public static class SettingsFileReader
{
    /// <summary>The largest settings file read (1 MiB): a few settings, never a store or a key file named by mistake.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>The origin of the file's top level, for messages of the resolver.</summary>
    internal const string SharedOrigin = SettingsFile.FileName;

    // The members a layer may have, at the top level and in every environment (schemas/secretstore.schema.json
    // lists the same; a test keeps them equal).
    internal static IReadOnlyList<string> LayerMembers { get; } =
    [
        "application", "storage", "protection", "keyId", "allowedKeyIds", "recipients", "region", "serviceUrl", "kmsServiceUrl",
        "privateKeyVariable", "allowV1", "allowInsecureEndpoint", "keepRevisions", "variables",
    ];

    // Members of the top level only.
    internal static IReadOnlyList<string> TopLevelOnlyMembers { get; } = ["$schema", "defaultEnvironment", "environments"];

    /// <summary>
    /// The nearest <c>secretstore.json</c> in <paramref name="startDirectory"/> or a folder above it (like
    /// <c>global.json</c>); null when there is none up to the root.
    /// </summary>
    public static string? Find(string startDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(startDirectory);
        for (var directory = new DirectoryInfo(Path.GetFullPath(startDirectory)); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, SettingsFile.FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads the file at <paramref name="path"/>; throws <c>SSB1021</c> (file, line, member) when it is not valid,
    /// with one diagnostic for each problem found. Messages never repeat a value of the file.
    /// </summary>
    public static SettingsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        return new Parser(fullPath, Load(fullPath)).Parse();
    }

    /// <summary>Finds (from <paramref name="startDirectory"/>) and reads the settings file, or null when there is none.</summary>
    public static SettingsFile? FindAndRead(string startDirectory) => Find(startDirectory) is { } path ? Read(path) : null;

    private static byte[] Load(string path)
    {
        if (!File.Exists(path))
        {
            throw Error(path, "The settings file does not exist. Fix: check the path given for it, or leave it unset to use the nearest " + SettingsFile.FileName + ".");
        }

        CheckTrusted(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxFileBytes)
            {
                throw Error(path, $"The settings file is {stream.Length} bytes; the limit is {MaxFileBytes} bytes (1 MiB). Fix: check that the path names the settings file, not another file.");
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Error(path, $"The settings file could not be read ({ex.GetType().Name}). Fix: check that it is a regular file the current user may read.");
        }
    }

    /// <summary>
    /// Whoever can write the settings file chooses where secrets are read from and which keys, endpoints and formats
    /// are trusted; and the file is found by walking up, so a file another local user planted above the project (in
    /// <c>/tmp</c>, say) would otherwise be used. On Linux it must be owned by the current user or root and not be
    /// writable by other users (its group may write it, as with a umask of 002). Refused, not skipped: skipping
    /// would silently fall through to a file further up.
    /// </summary>
    private static void CheckTrusted(string path)
    {
        if (!LinuxFiles.IsSupported)
        {
            return;
        }

        FileIdentity identity;
        try
        {
            identity = LinuxFiles.Stat(path);
        }
        catch (IOException)
        {
            return; // Reading it next reports the problem.
        }

        var user = LinuxFiles.EffectiveUserId;
        if (identity.Owner != user && identity.Owner != 0)
        {
            throw Error(path, $"The settings file is owned by user {identity.Owner}, not by the current user ({user}) or root: its owner would choose where secrets are read from and which keys and endpoints are trusted. Fix: use a settings file of your own (chown it, or give another with the settings option).");
        }

        if ((identity.Mode & UnixFileMode.OtherWrite) != 0)
        {
            throw Error(path, "The settings file is writable by every user (mode o+w): any of them could choose where secrets are read from. Fix: remove that right (chmod o-w).");
        }
    }

    private static SecretStoreException Error(string path, string message) =>
        new([new Diagnostic(DiagnosticCodes.InvalidSettingsFile, DiagnosticSeverity.Error, message, path)]);

    /// <summary>
    /// One pass of <see cref="Utf8JsonReader"/> over the file, member by member, collecting every problem with the
    /// line and column of its token (from <see cref="Utf8JsonReader.TokenStartIndex"/>), so that a file with three
    /// typos reports three errors.
    /// </summary>
    private sealed class Parser
    {
        private const string TopLevel = "at the top level";

        private readonly string _path;
        private readonly string _baseDirectory;
        private readonly ReadOnlyMemory<byte> _data;
        private readonly List<int> _lineStarts = [0];
        private readonly List<Diagnostic> _diagnostics = [];

        public Parser(string path, byte[] bytes)
        {
            _path = path;
            _baseDirectory = Path.GetDirectoryName(path)!;

            // A UTF-8 BOM is what some editors write; Utf8JsonReader does not skip it itself.
            var start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
            _data = bytes.AsMemory(start);

            // Only LF starts a line, exactly as Utf8JsonReader counts lines for its JsonException.
            var span = _data.Span;
            for (var i = 0; i < span.Length; i++)
            {
                if (span[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public SettingsFile Parse()
        {
            var file = ParseDocument();
            return _diagnostics.Count > 0 || file is null ? throw new SecretStoreException(_diagnostics) : file;
        }

        private SettingsFile? ParseDocument()
        {
            var span = _data.Span;
            if (!Utf8.IsValid(span))
            {
                var (line, column) = Locate(FirstInvalidUtf8(span));
                Add(line, column, "The settings file is not valid UTF-8. Save it as UTF-8.");
                return null;
            }

            if (span.Trim(" \t\r\n"u8).IsEmpty)
            {
                Add(0, 0, "The settings file is empty. Fix: write a JSON object in it, for example { \"storage\": \"file:.secretstore/secrets.json\", \"protection\": \"rsa:.secretstore/keyring\" }.");
                return null;
            }

            var reader = new Utf8JsonReader(span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            try
            {
                Advance(ref reader);
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    AddAt(ref reader, $"The settings file must hold one JSON object, not {Kind(reader.TokenType)}. Fix: put the settings between {{ and }}.");
                    return null;
                }

                var file = ParseTopLevel(ref reader);

                // Anything but comments and blanks after the object makes Read throw (one JSON value per file).
                reader.Read();
                return file;
            }
            catch (JsonException ex)
            {
                // The reader's message quotes the bytes it stopped at; only the place is reported.
                var line = ex.LineNumber is { } zeroBased ? (int)zeroBased + 1 : 0;
                var column = 0;
                if (line > 0 && line <= _lineStarts.Count)
                {
                    (line, column) = Locate(_lineStarts[line - 1] + (int)Math.Min(ex.BytePositionInLine ?? 0, span.Length));
                }

                Add(line, column, "The settings file is not valid JSON here (comments and trailing commas are allowed). Fix: correct the JSON syntax at this line and column.");
                return null;
            }
        }

        private SettingsFile ParseTopLevel(ref Utf8JsonReader reader)
        {
            var shared = new SettingsLayer { BaseDirectory = _baseDirectory, Origin = SharedOrigin };
            var environments = new Dictionary<string, SettingsLayer>(StringComparer.OrdinalIgnoreCase);
            string? defaultEnvironment = null;
            var defaultEnvironmentLine = 0;
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            while (NextMember(ref reader, TopLevel, seen) is { } member)
            {
                var (name, line, column) = member;
                switch (name)
                {
                    case "$schema":
                        // Editors read it; the reader only checks that it is a string.
                        _ = ReadString(ref reader, name, TopLevel);
                        break;
                    case "defaultEnvironment":
                        defaultEnvironment = ReadString(ref reader, name, TopLevel);
                        defaultEnvironmentLine = line;
                        break;
                    case "environments":
                        ParseEnvironments(ref reader, environments);
                        break;
                    default:
                        if (!ReadLayerMember(ref reader, name, TopLevel, ref shared))
                        {
                            Unknown(name, TopLevel, line, column, [.. LayerMembers, .. TopLevelOnlyMembers]);
                            reader.Skip();
                        }

                        break;
                }
            }

            return new SettingsFile
            {
                Path = _path,
                Shared = shared,
                Environments = environments,
                DefaultEnvironment = defaultEnvironment,
                DefaultEnvironmentLine = defaultEnvironmentLine,
            };
        }

        private void ParseEnvironments(ref Utf8JsonReader reader, Dictionary<string, SettingsLayer> environments)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                AddAt(ref reader, $"'environments' at the top level must be an object of named environments, not {Kind(reader.TokenType)}. Fix: write it as \"environments\": {{ \"Development\": {{ ... }} }}.");
                reader.Skip();
                return;
            }

            // Environment names compare ignoring case (as the resolver looks them up), so Production and production
            // in one file would leave which one is meant to chance.
            var first = new Dictionary<string, (string Name, int Line)>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                Advance(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    return;
                }

                var (line, column) = Locate(reader.TokenStartIndex);
                var raw = GetText(ref reader, "An environment name");
                Advance(ref reader);
                var name = raw?.Trim();
                if (name is null)
                {
                    reader.Skip();
                    continue;
                }

                if (name.Length == 0)
                {
                    Add(line, column, "An environment name is empty. Name the environment, for example \"Development\".");
                    reader.Skip();
                    continue;
                }

                if (first.TryGetValue(name, out var earlier))
                {
                    Add(line, column, $"Environment '{name}' is defined more than once (first as '{earlier.Name}' on line {earlier.Line}; names are compared ignoring case). Fix: remove or rename one of them.");
                    reader.Skip();
                    continue;
                }

                first[name] = (name, line);
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    AddAt(ref reader, $"Environment '{name}' must be an object of settings, not {Kind(reader.TokenType)}. Fix: write it as \"{name}\": {{ \"storage\": \"...\" }}.");
                    reader.Skip();
                    continue;
                }

                environments[name] = ParseEnvironment(ref reader, name);
            }
        }

        private SettingsLayer ParseEnvironment(ref Utf8JsonReader reader, string environment)
        {
            var where = $"in environment '{environment}'";
            var layer = new SettingsLayer { BaseDirectory = _baseDirectory, Origin = $"{SettingsFile.FileName} environment '{environment}'" };
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            while (NextMember(ref reader, where, seen) is { } member)
            {
                var (name, line, column) = member;
                if (ReadLayerMember(ref reader, name, where, ref layer))
                {
                    continue;
                }

                if (TopLevelOnlyMembers.Contains(name, StringComparer.Ordinal))
                {
                    Add(line, column, $"Member '{name}' {where} is allowed only at the top level. Move it out of \"environments\".");
                }
                else
                {
                    Unknown(name, where, line, column, LayerMembers);
                }

                reader.Skip();
            }

            return layer;
        }

        /// <summary>
        /// Moves to the next member of the object the reader is in and onto its value: its name and where the name
        /// stands; null at the end of the object. Duplicates (and names that are not valid text) are reported and
        /// their values skipped here.
        /// </summary>
        private (string Name, int Line, int Column)? NextMember(ref Utf8JsonReader reader, string where, Dictionary<string, int> seen)
        {
            while (true)
            {
                Advance(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    return null;
                }

                var (line, column) = Locate(reader.TokenStartIndex);
                var name = GetText(ref reader, "A member name");
                Advance(ref reader);
                if (name is null)
                {
                    reader.Skip();
                    continue;
                }

                if (seen.TryGetValue(name, out var firstLine))
                {
                    Add(line, column, $"Member '{name}' {where} appears more than once (first on line {firstLine}). Fix: remove one of them.");
                    reader.Skip();
                    continue;
                }

                seen[name] = line;
                return (name, line, column);
            }
        }

        /// <summary>Reads a member every layer may have into <paramref name="layer"/>; false when <paramref name="name"/> is not one.</summary>
        private bool ReadLayerMember(ref Utf8JsonReader reader, string name, string where, ref SettingsLayer layer)
        {
            switch (name)
            {
                case "application":
                    layer = layer with { Application = ReadString(ref reader, name, where) };
                    return true;
                case "storage":
                    layer = layer with { Storage = ReadSpec(ref reader, name, where, isStorage: true) };
                    return true;
                case "protection":
                    layer = layer with { Protection = ReadSpec(ref reader, name, where, isStorage: false) };
                    return true;
                case "keyId":
                    layer = layer with { KeyId = ReadString(ref reader, name, where) };
                    return true;
                case "allowedKeyIds":
                    layer = layer with { AllowedKeyIds = ReadStringArray(ref reader, name, where) };
                    return true;
                case "recipients":
                    layer = layer with { Recipients = ReadStringArray(ref reader, name, where) };
                    return true;
                case "region":
                    layer = layer with { Region = ReadString(ref reader, name, where) };
                    return true;
                case "serviceUrl":
                    layer = layer with { ServiceUrl = ReadUrl(ref reader, name, where) };
                    return true;
                case "kmsServiceUrl":
                    layer = layer with { KmsServiceUrl = ReadUrl(ref reader, name, where) };
                    return true;
                case "privateKeyVariable":
                    layer = layer with { PrivateKeyVariable = ReadString(ref reader, name, where) };
                    return true;
                case "allowV1":
                    layer = layer with { AllowV1 = ReadBoolean(ref reader, name, where) };
                    return true;
                case "allowInsecureEndpoint":
                    layer = layer with { AllowInsecureEndpoint = ReadBoolean(ref reader, name, where) };
                    return true;
                case "keepRevisions":
                    layer = layer with { KeepRevisions = ReadKeepRevisions(ref reader, name, where) };
                    return true;
                case "variables":
                    layer = layer with { Variables = ReadVariables(ref reader, name, where) };
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>A trimmed, non-empty string value, or null after reporting why not.</summary>
        private string? ReadString(ref Utf8JsonReader reader, string name, string where)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                AddAt(ref reader, $"'{name}' {where} must be a string, not {Kind(reader.TokenType)}. Fix: write the value in double quotes.");
                reader.Skip();
                return null;
            }

            var (line, column) = Locate(reader.TokenStartIndex);
            var text = GetText(ref reader, $"'{name}' {where}")?.Trim();
            if (text is { Length: 0 })
            {
                Add(line, column, $"'{name}' {where} is empty. Fix: give it a value, or remove the member.");
                return null;
            }

            return text;
        }

        /// <summary>
        /// A storage or protection text, checked here by <see cref="StoreSpec"/> so that a typo is reported with its
        /// line (its <c>SSB0003</c> becomes <c>SSB1021</c>); the resolver applies it later from the same base folder.
        /// </summary>
        private string? ReadSpec(ref Utf8JsonReader reader, string name, string where, bool isStorage)
        {
            var (line, column) = Locate(reader.TokenStartIndex);
            var text = ReadString(ref reader, name, where);
            if (text is null)
            {
                return null;
            }

            var setting = $"'{name}' {where}";
            var fix = isStorage
                ? $"Fix: write it as {StoreSpec.StorageForms}, for example {StoreSpec.FilePrefix}.secretstore/secrets.json or {StoreSpec.DynamoDbPrefix}Secrets."
                : $"Fix: write it as {StoreSpec.ProtectionForms}, for example {StoreSpec.RsaPrefix}.secretstore/keyring.";
            try
            {
                _ = isStorage
                    ? StoreSpec.WithStorage(new StoreSettings(), setting, text, _baseDirectory)
                    : StoreSpec.WithProtection(new StoreSettings(), setting, text, _baseDirectory);
                return text;
            }
            catch (SecretStoreException ex) when (ex.Code == DiagnosticCodes.InvalidStoreConfiguration)
            {
                Add(line, column, $"{ex.Diagnostics[0].Message} {fix}");
            }
            catch (ArgumentException)
            {
                // Path.GetFullPath refuses a path with a NUL character (written as \u0000).
                Add(line, column, $"{setting} holds a path that is not valid. {fix}");
            }

            return null;
        }

        /// <summary>An absolute http(s) URL; the URL itself is never repeated (it may carry user info).</summary>
        private string? ReadUrl(ref Utf8JsonReader reader, string name, string where)
        {
            var (line, column) = Locate(reader.TokenStartIndex);
            var text = ReadString(ref reader, name, where);
            if (text is null)
            {
                return null;
            }

            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                return text;
            }

            Add(line, column, $"'{name}' {where} is not an absolute http:// or https:// URL. Fix: write the service's address, for example http://localhost:8000 for DynamoDB Local.");
            return null;
        }

        private bool? ReadBoolean(ref Utf8JsonReader reader, string name, string where)
        {
            if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
            {
                return reader.GetBoolean();
            }

            // "true" in quotes is refused too: the file has one spelling, the JSON boolean.
            AddAt(ref reader, $"'{name}' {where} must be true or false (a JSON boolean), not {Kind(reader.TokenType)}. Fix: write true or false without quotes.");
            reader.Skip();
            return null;
        }

        /// <summary>
        /// A whole JSON number from 1 to <see cref="int.MaxValue"/>. <c>"5"</c> in quotes, <c>2.5</c>, <c>1e3</c>, <c>0</c> and
        /// negative numbers are refused, never rounded or read as "keep all".
        /// </summary>
        private int? ReadKeepRevisions(ref Utf8JsonReader reader, string name, string where)
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var count) && count >= 1)
            {
                return count;
            }

            var what = reader.TokenType == JsonTokenType.Number ? "a number that is not a whole number from 1 to 2147483647" : Kind(reader.TokenType);
            AddAt(ref reader, $"'{name}' {where} must be a whole number of revisions to keep per secret, at least 1, not {what}. Fix: write a number such as 10 without quotes, or remove the member to keep every revision.");
            reader.Skip();
            return null;
        }

        private List<string>? ReadStringArray(ref Utf8JsonReader reader, string name, string where)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                AddAt(ref reader, $"'{name}' {where} must be an array of strings, not {Kind(reader.TokenType)}. Fix: write it as [\"key id\", ...].");
                reader.Skip();
                return null;
            }

            var values = new List<string>();
            var valid = true;
            for (var index = 1; ; index++)
            {
                Advance(ref reader);
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    return valid ? values : null;
                }

                var entry = $"Entry {index} of '{name}' {where}";
                if (reader.TokenType != JsonTokenType.String)
                {
                    AddAt(ref reader, $"{entry} must be a string, not {Kind(reader.TokenType)}. Fix: write each key id in double quotes.");
                    reader.Skip();
                    valid = false;
                    continue;
                }

                var (line, column) = Locate(reader.TokenStartIndex);
                var text = GetText(ref reader, entry)?.Trim();
                if (text is { Length: 0 })
                {
                    Add(line, column, $"{entry} is empty. Fix: remove it, or write the key id.");
                }

                if (string.IsNullOrEmpty(text))
                {
                    valid = false;
                    continue;
                }

                values.Add(text);
            }
        }

        /// <summary>
        /// An object of variable name to secret reference (<c>"ConnectionStrings__Default": "shop/Db"</c>); every name is
        /// checked with <see cref="Variables.VariableNames.IsValid"/> here, so a bad one is reported with its line.
        /// </summary>
        private List<Variables.VariableMapping>? ReadVariables(ref Utf8JsonReader reader, string name, string where)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                AddAt(ref reader, $"'{name}' {where} must be an object of variable names and secrets, not {Kind(reader.TokenType)}. Fix: write it as \"{name}\": {{ \"ConnectionStrings__Default\": \"App/Db\" }}.");
                reader.Skip();
                return null;
            }

            var origin = where == TopLevel ? SettingsFile.FileName : $"{SettingsFile.FileName} {where[3..]}";
            var mappings = new List<Variables.VariableMapping>();
            var valid = true;
            var seen = new Dictionary<string, int>(Variables.VariableNames.Comparer);
            while (NextMember(ref reader, $"of '{name}' {where}", seen) is { } member)
            {
                var (variable, line, column) = member;
                var secret = ReadString(ref reader, variable, $"of '{name}' {where}");
                if (!Variables.VariableNames.IsValid(variable))
                {
                    Add(line, column, $"'{LogText.Escape(variable)}' in '{name}' {where} is not a valid environment variable name: {Variables.VariableNames.RuleText}. Fix: rename it.");
                    valid = false;
                    continue;
                }

                if (secret is null)
                {
                    valid = false;
                    continue;
                }

                mappings.Add(new Variables.VariableMapping(variable, secret, $"{origin}, line {line}"));
            }

            return valid ? mappings : null;
        }

        /// <summary>The string (or member name) at the reader, or null after reporting an escape that is no text.</summary>
        private string? GetText(ref Utf8JsonReader reader, string what)
        {
            try
            {
                return reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // The bytes are valid UTF-8 (checked first), so only an escaped lone surrogate (\uD800) gets here.
                AddAt(ref reader, $"{what} holds a \\u escape of a lone UTF-16 surrogate, which is not text. Fix: remove the escape or complete the surrogate pair.");
                return null;
            }
        }

        private void Unknown(string name, string where, int line, int column, IReadOnlyList<string> members)
        {
            var suggestion = NearMiss.Suggest(name, members);
            Add(line, column, suggestion is not null
                ? $"Member '{name}' {where} is unknown (member names are case-sensitive); did you mean '{suggestion}'?"
                : $"Member '{name}' {where} is unknown. Fix: use one of: {string.Join(", ", members)}.");
        }

        private static string Kind(JsonTokenType type) => type switch
        {
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.StartObject => "an object",
            _ => "another kind of value",
        };

        /// <summary>Reads the next token; the input is complete, so running out of tokens inside an object is a syntax error.</summary>
        private void Advance(ref Utf8JsonReader reader)
        {
            if (!reader.Read())
            {
                var (line, _) = Locate(_data.Length);
                throw new JsonException("The settings file ends early.", null, line - 1, _data.Length - _lineStarts[line - 1]);
            }
        }

        private void AddAt(ref Utf8JsonReader reader, string message)
        {
            var (line, column) = Locate(reader.TokenStartIndex);
            Add(line, column, message);
        }

        private void Add(int line, int column, string message) =>
            _diagnostics.Add(new Diagnostic(DiagnosticCodes.InvalidSettingsFile, DiagnosticSeverity.Error, message, _path, line, column));

        /// <summary>1-based line and column (in characters) of a byte offset into the file (after any BOM).</summary>
        private (int Line, int Column) Locate(long offset)
        {
            var at = (int)Math.Min(offset, _data.Length);
            var index = _lineStarts.BinarySearch(at);
            if (index < 0)
            {
                index = ~index - 1;
            }

            var start = _lineStarts[index];
            return (index + 1, Encoding.UTF8.GetCharCount(_data.Span[start..at]) + 1);
        }

        private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
        {
            var chars = new char[bytes.Length];
            _ = Utf8.ToUtf16(bytes, chars, out var bytesRead, out _, replaceInvalidSequences: false);
            return bytesRead;
        }
    }
}
