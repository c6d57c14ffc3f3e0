using System.Globalization;
using System.Text;
using SecretStore.Repositories;

namespace SecretStore.Secrets;

/// <summary>
/// A secret as a placeholder or a mapping names it: its current value (<see cref="Revision"/> null), or exactly one
/// revision, pinned with <c>@N</c> (<c>#{secret:Db@3}</c>, <c>--map DB=App/Db@3</c>). A pin opens that revision from
/// the store's history; a revision the store does not keep is <c>SSB2019</c>.
/// </summary>
/// <param name="Id">The secret.</param>
/// <param name="Revision">The pinned revision, or null for the current one.</param>
public readonly record struct SecretReference(SecretId Id, long? Revision = null)
{
    /// <summary>True when a revision is pinned.</summary>
    public bool IsPinned => Revision is not null;

    /// <summary>
    /// Parses <c>Application/Name</c>, <c>Name</c> (with <paramref name="defaultApplication"/>), either followed by
    /// <c>@N</c> to pin revision N. Only a last <c>@</c> followed by digits alone pins, so <c>ops@example.com</c> stays a
    /// name; write <c>\@</c> for an <c>@</c> that belongs to a name ending in digits (<c>build\@2</c>). The rest follows
    /// <see cref="SecretId.TryParse"/>; <paramref name="problem"/> completes "The secret reference ..." when false.
    /// </summary>
    public static bool TryParse(string? text, string? defaultApplication, out SecretReference reference, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        reference = default;
        if (!TrySplitPin(text ?? string.Empty, out var rest, out var revision, out problem))
        {
            return false;
        }

        if (!SecretId.TryParse(rest, defaultApplication, out var id, out problem))
        {
            return false;
        }

        reference = new SecretReference(id, revision);
        return true;
    }

    /// <summary>
    /// Splits a trailing <c>@N</c> pin off <paramref name="text"/> (with <c>\@</c> turned into <c>@</c> in
    /// <paramref name="rest"/>, other escapes kept as written). A pin of 0 or beyond 2^53 is refused.
    /// </summary>
    internal static bool TrySplitPin(string text, out string rest, out long? revision, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        var kept = new StringBuilder(text.Length);
        var pinAt = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                if (text[i + 1] == '@')
                {
                    kept.Append('@');
                }
                else
                {
                    kept.Append(text, i, 2);
                }

                i++;
                continue;
            }

            if (text[i] == '@')
            {
                pinAt = kept.Length;
            }

            kept.Append(text[i]);
        }

        rest = kept.ToString();
        revision = null;
        problem = null;
        if (pinAt < 0 || pinAt == rest.Length - 1 || rest.AsSpan(pinAt + 1).ContainsAnyExceptInRange('0', '9'))
        {
            return true;
        }

        var digits = rest[(pinAt + 1)..];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var pinned) || !RecordRevision.IsValid(pinned))
        {
            problem = $"pins revision '{(digits.Length > 20 ? digits[..20] + "..." : digits)}'; a revision is a whole number from 1 (write '\\@' for an '@' that belongs to the name)";
            return false;
        }

        rest = rest[..pinAt];
        revision = pinned;
        return true;
    }

    /// <summary><c>application/name</c>, with <c>@N</c> when pinned. Names are not values, so they may be shown.</summary>
    public override string ToString() => Revision is { } r ? string.Create(CultureInfo.InvariantCulture, $"{Id}@{r}") : Id.ToString();
}
