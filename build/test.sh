#!/usr/bin/env bash
# Runs the whole test suite the way CI does: installs what the tests need (npm packages, dotnet tools),
# starts DynamoDB Local and a throwaway PostgreSQL cluster on loopback ports, runs `dotnet test` on the solution,
# and ends with one line of totals. Usage: ./build/test.sh [extra dotnet test arguments]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Tests use loopback endpoints only; keep the AWS SDK from probing the instance metadata service.
export AWS_EC2_METADATA_DISABLED=true

# shellcheck source=lib/test-services.sh
. "$root/build/lib/test-services.sh"
install_test_tools
trap stop_test_services EXIT
start_dynamodb_local
start_postgres

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

status=0
dotnet test SecretStore.Build.sln -c Release --logger "trx" --results-directory "$results" "$@" || status=$?

# Benchmark smoke (SECRETSTORE_BENCH_SMOKE=0 skips it): every BenchmarkDotNet case runs once, in process,
# with small store sizes, against the DynamoDB Local started above. Timing never fails CI; an exception or
# a failed request-count assertion inside a benchmark does. The real measurements are bench/compare.sh's.
if [ "${SECRETSTORE_BENCH_SMOKE:-1}" != "0" ]; then
  echo "Benchmark smoke run (--job dry)"
  bench_started=$SECONDS
  if SECRETSTORE_BENCH_SMOKE=1 dotnet run -c Release --project bench/SecretStore.Benchmarks -- \
      --job dry --inProcess --filter '*' --artifacts "$root/artifacts/bench-smoke" >"$root/artifacts/bench-smoke.log" 2>&1; then
    echo "Benchmark smoke passed in $((SECONDS - bench_started)) s (log: artifacts/bench-smoke.log)"
  else
    echo "Benchmark smoke FAILED (an exception in a benchmark); the end of artifacts/bench-smoke.log:" >&2
    tail -n 40 "$root/artifacts/bench-smoke.log" >&2
    status=1
  fi
fi

# One line of totals from the TRX files; red when any test project executed no test (build/test-totals.sh).
totals_status=0
"$root/build/test-totals.sh" "$results" "$status" || totals_status=$?
exit "$totals_status"
