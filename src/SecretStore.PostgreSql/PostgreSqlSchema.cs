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

    /// <summary>
    /// The most protected bytes a row may hold, all its fields together (an envelope, or a v1 row's key, IV and value):
    /// 400 KiB, DynamoDB's item limit, so that a record one store takes every store takes, and so that a writer cannot
    /// make every reader load megabytes (a limit per field let a row hold four times as much: red team round 10).
    /// </summary>
    public const int MaxProtectedBytes = 400 * 1024;

    /// <summary>
    /// The longest name, master key id or writer a row may hold, in UTF-8 bytes: 1 KiB, DynamoDB's sort key limit. A
    /// 64 MiB key id would otherwise be printed by every reader's <c>list</c> (red team round 9).
    /// </summary>
    public const int MaxTextBytes = 1024;

    /// <summary>
    /// The settings every read function runs with: the pinned search path, and the planner held to index lookups, so that
    /// no planner setting of the caller makes a read touch another application's rows (red team round 9).
    /// </summary>
    private const string ReadSettings = "SET search_path = pg_catalog, pg_temp SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET enable_indexscan = on SET enable_nestloop = on";

    /// <summary>The record columns of <c>secrets</c> and <c>history</c>, in the order every query selects them.</summary>
    internal const string RecordColumns = "application_name, secret_name, revision, format, master_key_id, envelope, protected_document_key, initialisation_vector, protected_secret_value";

    /// <summary>Creates the names of schema <paramref name="name"/>: lower-case letters, digits and '_', at most 63 characters.</summary>
    public PostgreSqlSchema(string name = DefaultName)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException("A schema name is lower-case ASCII letters, digits and '_', starts with a letter or '_', has at most 63 characters, and is not public, information_schema or a pg_ name.", nameof(name));
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

    /// <summary>The qualified name of the store's function <paramref name="function"/>.</summary>
    internal string Function(string function) => Quote(Name) + "." + function;

    /// <summary>Whether <paramref name="name"/> can name a schema here.</summary>
    /// <remarks>
    /// Not <c>public</c>, <c>information_schema</c> or a <c>pg_</c> name: the store's functions and policies belong in a
    /// schema of their own, which only its grants open.
    /// </remarks>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= 63 } && SchemaName().IsMatch(name)
        && name is not ("public" or "information_schema") && !name.StartsWith("pg_", StringComparison.Ordinal);

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
                application_name       text COLLATE "C" NOT NULL CHECK (application_name <> '' AND octet_length(application_name) <= {{MaxTextBytes}}),
                secret_name            text COLLATE "C" NOT NULL CHECK (secret_name <> '' AND octet_length(secret_name) <= {{MaxTextBytes}}),
                revision               bigint NOT NULL CHECK (revision >= 1),
                format                 smallint NOT NULL,
                master_key_id          text NOT NULL CHECK (octet_length(master_key_id) <= {{MaxTextBytes}}),
                envelope               bytea,
                protected_document_key bytea,
                initialisation_vector  bytea,
                protected_secret_value bytea,
                CHECK (coalesce(octet_length(envelope), 0) + coalesce(octet_length(protected_document_key), 0) + coalesce(octet_length(initialisation_vector), 0) + coalesce(octet_length(protected_secret_value), 0) <= {{MaxProtectedBytes}}),
                PRIMARY KEY (application_name, secret_name)
            );

            CREATE TABLE {{History}} (
                application_name       text COLLATE "C" NOT NULL CHECK (application_name <> '' AND octet_length(application_name) <= {{MaxTextBytes}}),
                secret_name            text COLLATE "C" NOT NULL CHECK (secret_name <> '' AND octet_length(secret_name) <= {{MaxTextBytes}}),
                revision               bigint NOT NULL CHECK (revision >= 1),
                written_at             timestamptz CHECK (written_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59+00'),
                writer                 text CHECK (octet_length(writer) <= {{MaxTextBytes}}),
                format                 smallint,
                master_key_id          text CHECK (octet_length(master_key_id) <= {{MaxTextBytes}}),
                envelope               bytea,
                protected_document_key bytea,
                initialisation_vector  bytea,
                protected_secret_value bytea,
                CHECK (coalesce(octet_length(envelope), 0) + coalesce(octet_length(protected_document_key), 0) + coalesce(octet_length(initialisation_vector), 0) + coalesce(octet_length(protected_secret_value), 0) <= {{MaxProtectedBytes}}),
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

            -- The applications role "who" (or a role it is a member of) may read, or with "write" write; '*' stands for all,
            -- and the schema's owner (a member of the role owning the tables) has '*'. SECURITY DEFINER: callers need no
            -- right on the access table; every function here pins its search path against hijacking.
            CREATE FUNCTION {{MayAccess}}(who name, write boolean) RETURNS text[]
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                    SELECT coalesce(array_agg(DISTINCT x.application_name), '{}') FROM (
                        SELECT a.application_name
                        FROM {{Access}} a JOIN pg_catalog.pg_roles r ON r.rolname = a.role_name
                        WHERE (NOT write OR a.can_write) AND pg_catalog.pg_has_role(who, r.oid, 'MEMBER')
                        UNION ALL
                        SELECT '*' FROM pg_catalog.pg_class c
                        WHERE c.oid = '{{Secrets}}'::pg_catalog.regclass AND pg_catalog.pg_has_role(who, c.relowner, 'MEMBER')) x
                $fn$;

            -- Readers and writers reach the rows only through the functions below (SECURITY DEFINER, no table grants), each
            -- of which keeps the session's role to its applications. A role with SELECT on a table could learn other
            -- applications' rows from EXPLAIN ANALYZE ("Rows Removed by Filter") and, with UPDATE or DELETE, lock the whole
            -- table. The reads drop other applications' keys before the table is touched and pin the planner to index
            -- lookups, so that no plan, buffer count, statistic (pg_stat_xact_*) or timing depends on another
            -- application's rows, whatever planner settings the caller chose. session_user: inside SECURITY DEFINER,
            -- current_user is the owner.
            CREATE FUNCTION {{Quote(Name)}}.read_secrets(apps text[], names text[]) RETURNS SETOF {{Secrets}}
                LANGUAGE plpgsql STABLE SECURITY DEFINER {{ReadSettings}}
                AS $fn$
                DECLARE
                    allowed text[] := {{MayAccess}}(session_user, false);
                    key record;
                BEGIN
                    -- One primary-key lookup per permitted key: a join could be planned as a scan of the whole table.
                    FOR key IN SELECT k.a, k.n FROM unnest(apps, names) AS k(a, n) WHERE ARRAY[k.a, '*'] && allowed LOOP
                        RETURN QUERY SELECT t.* FROM {{Secrets}} t WHERE t.application_name = key.a AND t.secret_name = key.n;
                    END LOOP;
                END
                $fn$;

            CREATE FUNCTION {{Quote(Name)}}.list_secrets(app text, after text, page integer) RETURNS SETOF {{Secrets}}
                LANGUAGE plpgsql STABLE SECURITY DEFINER {{ReadSettings}}
                AS $fn$
                BEGIN
                    IF NOT ARRAY[app, '*'] && {{MayAccess}}(session_user, false) THEN
                        RETURN;
                    END IF;
                    RETURN QUERY SELECT t.* FROM {{Secrets}} t
                        WHERE t.application_name = app AND (after IS NULL OR t.secret_name > after)
                        ORDER BY t.secret_name LIMIT page;
                END
                $fn$;

            CREATE FUNCTION {{Quote(Name)}}.list_applications() RETURNS SETOF text
                LANGUAGE plpgsql STABLE SECURITY DEFINER {{ReadSettings}}
                AS $fn$
                DECLARE
                    allowed text[] := {{MayAccess}}(session_user, false);
                BEGIN
                    IF '*' = ANY (allowed) THEN
                        RETURN QUERY SELECT DISTINCT t.application_name FROM {{Secrets}} t;
                    ELSE
                        RETURN QUERY SELECT a FROM unnest(allowed) AS a
                            WHERE EXISTS (SELECT 1 FROM {{Secrets}} t WHERE t.application_name = a);
                    END IF;
                END
                $fn$;

            -- The kept revisions of one secret (all, oldest first, or the one asked for).
            CREATE FUNCTION {{Quote(Name)}}.read_history(app text, secret text, wanted bigint) RETURNS SETOF {{History}}
                LANGUAGE plpgsql STABLE SECURITY DEFINER {{ReadSettings}}
                AS $fn$
                BEGIN
                    IF NOT ARRAY[app, '*'] && {{MayAccess}}(session_user, false) THEN
                        RETURN;
                    END IF;
                    RETURN QUERY SELECT h.* FROM {{History}} h
                        WHERE h.application_name = app AND h.secret_name = secret AND (wanted IS NULL OR h.revision = wanted)
                        ORDER BY h.revision;
                END
                $fn$;

            CREATE FUNCTION {{Quote(Name)}}.store_info() RETURNS SETOF {{Store}}
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$ SELECT * FROM {{Store}} WHERE (SELECT {{MayAccess}}(session_user, false)) <> '{}' $fn$;

            -- Raises 42501 unless the session's role may write application "app" (never '', which no id has).
            CREATE FUNCTION {{Quote(Name)}}.ensure_writer(app text) RETURNS void
                LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    IF app IS NULL OR app = '' OR NOT ARRAY[app, '*'] && {{MayAccess}}(session_user, true) THEN
                        RAISE EXCEPTION 'permission denied: role % may not write application % of this store', session_user, app
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                END
                $fn$;

            -- Raises 42501 unless the session's role may write some application: the store-wide calls (the store id).
            CREATE FUNCTION {{Quote(Name)}}.ensure_some_writer() RETURNS void
                LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    IF {{MayAccess}}(session_user, true) = '{}' THEN
                        RAISE EXCEPTION 'permission denied: role % may write no application of this store', session_user
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                END
                $fn$;

            -- A write's reads, in its transaction: the row, locked (FOR UPDATE), the newest kept revision, and the history's
            -- entry at the row's revision.
            CREATE FUNCTION {{Quote(Name)}}.lock_secret(app text, secret text) RETURNS SETOF {{Secrets}}
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_writer(app);
                    RETURN QUERY SELECT t.* FROM {{Secrets}} t WHERE t.application_name = app AND t.secret_name = secret FOR UPDATE;
                END
                $fn$;

            CREATE FUNCTION {{Quote(Name)}}.newest_revision(app text, secret text) RETURNS bigint
                LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_writer(app);
                    RETURN (SELECT max(h.revision) FROM {{History}} h WHERE h.application_name = app AND h.secret_name = secret);
                END
                $fn$;

            CREATE FUNCTION {{Quote(Name)}}.kept_current(app text, secret text) RETURNS SETOF {{History}}
                LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_writer(app);
                    RETURN QUERY SELECT h.* FROM {{History}} h JOIN {{Secrets}} t USING (application_name, secret_name, revision)
                        WHERE h.application_name = app AND h.secret_name = secret;
                END
                $fn$;

            -- The writes. A key taken meanwhile is the unique violation the client turns into a lost race.
            CREATE FUNCTION {{Quote(Name)}}.insert_secret(app text, secret text, rev bigint, fmt smallint, key_id text, env bytea, doc_key bytea, iv bytea, val bytea) RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_writer(app);
                    INSERT INTO {{Secrets}} VALUES (app, secret, rev, fmt, key_id, env, doc_key, iv, val);
                END
                $fn$;

            CREATE FUNCTION {{Quote(Name)}}.update_secret(app text, secret text, rev bigint, fmt smallint, key_id text, env bytea, doc_key bytea, iv bytea, val bytea) RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_writer(app);
                    UPDATE {{Secrets}} SET revision = rev, format = fmt, master_key_id = key_id, envelope = env,
                        protected_document_key = doc_key, initialisation_vector = iv, protected_secret_value = val
                    WHERE application_name = app AND secret_name = secret;
                END
                $fn$;

            CREATE FUNCTION {{Quote(Name)}}.delete_secret(app text, secret text) RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_writer(app);
                    DELETE FROM {{Secrets}} WHERE application_name = app AND secret_name = secret;
                END
                $fn$;

            CREATE FUNCTION {{Quote(Name)}}.insert_history(app text, secret text, rev bigint, fmt smallint, key_id text, env bytea, doc_key bytea, iv bytea, val bytea, at timestamptz, by_whom text) RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_writer(app);
                    INSERT INTO {{History}} VALUES (app, secret, rev, at, by_whom, fmt, key_id, env, doc_key, iv, val);
                END
                $fn$;

            -- Keeps the newest "keep" revisions of one secret; 0 keeps none (a purge).
            CREATE FUNCTION {{Quote(Name)}}.prune_history(app text, secret text, keep bigint) RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_writer(app);
                    DELETE FROM {{History}} WHERE application_name = app AND secret_name = secret AND revision IN (
                        SELECT h.revision FROM {{History}} h WHERE h.application_name = app AND h.secret_name = secret
                        ORDER BY h.revision DESC OFFSET keep);
                END
                $fn$;

            -- Whether the store is new (no record, no history), for a writer about to give it its id.
            CREATE FUNCTION {{Quote(Name)}}.is_empty() RETURNS boolean
                LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_some_writer();
                    RETURN NOT EXISTS (SELECT 1 FROM {{Secrets}}) AND NOT EXISTS (SELECT 1 FROM {{History}});
                END
                $fn$;

            -- The id of a new store: the first caller's wins (ON CONFLICT), every caller then reads it.
            CREATE FUNCTION {{Quote(Name)}}.set_store_id(id text, version integer) RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
                AS $fn$
                BEGIN
                    PERFORM {{Quote(Name)}}.ensure_some_writer();
                    INSERT INTO {{Store}} (store_id, schema_version) VALUES (id, version) ON CONFLICT (singleton) DO NOTHING;
                END
                $fn$;

            -- Functions are executable by PUBLIC unless revoked: only a role's grants give them. The policies' function stays
            -- PUBLIC (a policy runs it as the querying role); it tells which applications a role may reach, not a secret.
            REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA {{Quote(Name)}} FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION {{MayAccess}} TO PUBLIC;

            -- A second fence, for a role someone grants table rights to by hand: it still sees and changes only its rows.
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

    /// <summary>The functions a reader may call: the reads, never a table.</summary>
    internal static readonly string[] ReaderFunctions = ["read_secrets", "list_secrets", "list_applications", "read_history", "store_info"];

    /// <summary>
    /// The grants of a reader of one application (docs/postgres.md): the schema, the read functions and the access row;
    /// no right on any table.
    /// </summary>
    public string ReaderGrantScript(string role, string application) => string.Create(CultureInfo.InvariantCulture, $"""
        GRANT USAGE ON SCHEMA {Quote(Name)} TO {Quote(role)};
        GRANT EXECUTE ON FUNCTION {string.Join(", ", ReaderFunctions.Select(f => Quote(Name) + "." + f))} TO {Quote(role)};
        INSERT INTO {Access} (role_name, application_name, can_write) VALUES ({Literal(role)}, {Literal(application)}, false) ON CONFLICT (role_name, application_name) DO UPDATE SET can_write = false;

        """);

    /// <summary>The grants of a writer of <paramref name="application"/> (<c>*</c>: every application): every function, no table.</summary>
    public string WriterGrantScript(string role, string application = "*") => string.Create(CultureInfo.InvariantCulture, $"""
        GRANT USAGE ON SCHEMA {Quote(Name)} TO {Quote(role)};
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {Quote(Name)} TO {Quote(role)};
        INSERT INTO {Access} (role_name, application_name, can_write) VALUES ({Literal(role)}, {Literal(application)}, true) ON CONFLICT (role_name, application_name) DO UPDATE SET can_write = true;

        """);

    /// <summary>A quoted identifier.</summary>
    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A quoted string literal (standard_conforming_strings is on since PostgreSQL 9.1).</summary>
    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
