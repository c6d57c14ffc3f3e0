using System.Text;

namespace SecretStore.Cli.Commands;

/// <summary>
/// The <c>.gitignore</c> that <c>init</c> and <c>keys init</c> write beside key files, so a <c>git add .</c> cannot
/// commit a private key. An existing file is kept: only the patterns it lacks are appended.
/// </summary>
internal static class GitignoreFile
{
    /// <summary>Adds the <paramref name="patterns"/> the file at <paramref name="path"/> lacks; true when it was written.</summary>
    public static bool Ensure(string path, string header, params string[] patterns)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        var existing = text.Split('\n').Select(line => line.Trim()).ToList();

        // A pattern counts only when no negation ("!signing.private.pem") follows it: git lets the last matching
        // line win, so a key re-included after the pattern would still be committed. Appending it again wins.
        var lastNegation = existing.FindLastIndex(line => line.StartsWith('!'));
        var missing = patterns.Where(pattern => existing.LastIndexOf(pattern) <= lastNegation).ToList();
        if (missing.Count == 0)
        {
            return false;
        }

        var added = new StringBuilder();
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            added.Append('\n');
        }

        if (text.Length == 0)
        {
            added.Append("# ").Append(header).Append('\n');
        }

        foreach (var pattern in missing)
        {
            added.Append(pattern).Append('\n');
        }

        if (text.Length == 0 && !File.Exists(path))
        {
            PublicFile.Create(path, added.ToString());
        }
        else
        {
            // An existing file keeps its owner's mode: it is appended to, never replaced.
            File.AppendAllText(path, added.ToString());
        }

        return true;
    }
}
