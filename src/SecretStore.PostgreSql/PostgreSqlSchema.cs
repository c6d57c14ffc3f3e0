using System.Globalization;
using System.Text.RegularExpressions;

namespace SecretStore.PostgreSql;

/// <summary>
/// The SQL of one store: a schema (default <c>secretstore</c>) with the current records (<c>secrets</c>), every kept
/// revision (<c>history</c>), the store's id (<c>store</c>) and who may read or write which application (<c>access</c>,
/// read by the row-level security policies through <c>applications_of</c>). docs/postgres.md shows the same script; a test keeps
/// the two equal. Names and key columns are <c>COLLATE "C"</c>, so order and equality are by bytes whatever the database's
/// locale, as DynamoDB's are.
/// </summary>
public sealed partial class PostgreSqlSchema
{
    /// <summary>The schema name when none is configured.</summary>
    public const string DefaultName = "secretstore";

    /// <summary>The version of the layout below, kept in the <c>store</c> row; a store of another version is <c>SSB2025</c>.</summary>
    public const int Version = 1;

    /// <summary>The record columns of <c>secrets</c> and <c>history</c>, in the order every query selects them.</summary>
    internal const string RecordColumns = "application_name, secret_name, revision, format, master_key_id, envelope, protected_document_key, initialisation_vector, protected_secret_value";

    /// <summary>Creates the names of schema <paramref name="name"/>: lower-case letters, digits and '_', at most 63 characters.</summary>
    public PostgreSqlSchema(string name = DefaultName)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException("A schema name is lower-case ASCII letters, digits and '_', starts with a letter or '_', and has at most 63 characters.", nameof(name));
        }

        Name = name;
        Secrets = Quote(name) + ".secrets";
        History = Quote(name) + ".history";
        Store = Quote(name) + ".store";
        Access = Quote(name) + ".access";
        MayAccess = Quote(name) + ".applications_of";
    }

    /// <summary>The schema's name.</summary>
    public string Name { get; }

    /// <summary>The qualified name of the current records' table.</summary>
    public string Secrets { get; }

    /// <summary>The qualified name of the history table.</summary>
    public string History { get; }

    /// <summary>The qualified name of the one-row table holding the store id and layout version.</summary>
    public string Store { get; }

    /// <summary>The qualified name of the access table the row-level security policies read.</summary>
    public string Access { get; }

    /// <summary>The qualified name of the policies' function.</summary>
    public string MayAccess { get; }

    /// <summary>Whether <paramref name="name"/> can name a schema here.</summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= 63 } && SchemaName().IsMatch(name);

    /// <summary>
    /// The script that creates the schema, its tables, the policies' function and the policies (what
    /// <c>secretstore table create</c> runs, in one transaction). It grants nothing: roles are given their rights by
    /// the database's administrator (docs/postgres.md, "Roles").
    /// </summary>
    public string CreateScript()
    {
        var s = Quote(Name);
        return string.Create(CultureInfo.InvariantCulture, $$"""
            CREATE SCHEMA IF NOT EXISTS {{s}};

            CREATE TABLE {{Secrets}} (
                application_name       text COLLATE "C" NOT NULL,
                secret_name            text COLLATE "C" NOT NULL,
                revision               bigint NOT NULL CHECK (revision >= 1),
                format                 smallint NOT NULL,
                master_key_id          text NOT NULL,
                envelope               bytea,
                protected_document_key bytea,
                initialisation_vector  bytea,
                protected_secret_value bytea,
                PRIMARY KEY (application_name, secret_name)
            );

            CREATE TABLE {{History}} (
                application_name       text COLLATE "C" NOT NULL,
                secret_name            text COLLATE "C" NOT NULL,
                revision               bigint NOT NULL CHECK (revision >= 1),
                written_at             timestamptz,
                writer                 text,
                format                 smallint,
                master_key_id          text,
                envelope               bytea,
                protected_document_key bytea,
                initialisation_vector  bytea,
                protected_secret_value bytea,
                PRIMARY KEY (application_name, secret_name, revision)
            );

            CREATE TABLE {{Store}} (
                singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                store_id       text NOT NULL,
                schema_version integer NOT NULL
            );

            CREATE TABLE {{Access}} (
                role_name        name NOT NULL,
                application_name text COLLATE "C" NOT NULL,
                can_write        boolean NOT NULL DEFAULT false,
                PRIMARY KEY (role_name, application_name)
            );

            -- The applications role "who" (or a role it is a member of) may read, or with "write" write; '*' stands for all.
            -- SECURITY DEFINER: readers need no right on the access table; the search path is pinned against hijacking.
            -- The policies call it in a scalar subquery, so it runs once per statement, not once per row.
            CREATE FUNCTION {{MayAccess}}(who name, write boolean) RETURNS text[]
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                    SELECT coalesce(array_agg(DISTINCT a.application_name), '{}')
                    FROM {{Access}} a JOIN pg_catalog.pg_roles r ON r.rolname = a.role_name
                    WHERE (NOT write OR a.can_write) AND pg_catalog.pg_has_role(who, r.oid, 'MEMBER')
                $fn$;

            ALTER TABLE {{Secrets}} ENABLE ROW LEVEL SECURITY;
            CREATE POLICY secrets_read ON {{Secrets}} FOR SELECT USING (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, false)));
            CREATE POLICY secrets_insert ON {{Secrets}} FOR INSERT WITH CHECK (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, true)));
            CREATE POLICY secrets_update ON {{Secrets}} FOR UPDATE USING (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, true))) WITH CHECK (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, true)));
            CREATE POLICY secrets_delete ON {{Secrets}} FOR DELETE USING (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, true)));

            ALTER TABLE {{History}} ENABLE ROW LEVEL SECURITY;
            CREATE POLICY history_read ON {{History}} FOR SELECT USING (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, false)));
            CREATE POLICY history_insert ON {{History}} FOR INSERT WITH CHECK (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, true)));
            CREATE POLICY history_update ON {{History}} FOR UPDATE USING (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, true))) WITH CHECK (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, true)));
            CREATE POLICY history_delete ON {{History}} FOR DELETE USING (ARRAY[application_name, '*'] && (SELECT {{MayAccess}}(current_user, true)));

            """);
    }

    /// <summary>The grants of a reader of one application (docs/postgres.md): select only, and only its rows (the access row).</summary>
    public string ReaderGrantScript(string role, string application) => string.Create(CultureInfo.InvariantCulture, $"""
        GRANT USAGE ON SCHEMA {Quote(Name)} TO {Quote(role)};
        GRANT SELECT ON {Secrets}, {History}, {Store} TO {Quote(role)};
        INSERT INTO {Access} (role_name, application_name, can_write) VALUES ({Literal(role)}, {Literal(application)}, false) ON CONFLICT (role_name, application_name) DO UPDATE SET can_write = false;

        """);

    /// <summary>The grants of a writer of <paramref name="application"/> (<c>*</c>: every application).</summary>
    public string WriterGrantScript(string role, string application = "*") => string.Create(CultureInfo.InvariantCulture, $"""
        GRANT USAGE ON SCHEMA {Quote(Name)} TO {Quote(role)};
        GRANT SELECT, INSERT, UPDATE, DELETE ON {Secrets}, {History} TO {Quote(role)};
        GRANT SELECT ON {Store} TO {Quote(role)};
        INSERT INTO {Access} (role_name, application_name, can_write) VALUES ({Literal(role)}, {Literal(application)}, true) ON CONFLICT (role_name, application_name) DO UPDATE SET can_write = true;

        """);

    /// <summary>A quoted identifier.</summary>
    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A quoted string literal (standard_conforming_strings is on since PostgreSQL 9.1).</summary>
    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
