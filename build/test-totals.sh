#!/usr/bin/env bash
# Sums the TRX files of one test run into the closing line `N passed, N failed, N skipped` and checks that every
# test project executed at least one test. Usage: build/test-totals.sh <results folder> [status of dotnet test]
# Exits non-zero when the given status was non-zero, a test failed, or a test project ran no test.
set -eu  # no pipefail: `grep | head -n 1` would fail on SIGPIPE
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$1"
status="${2:-0}"

# One line of totals from the TRX files, and a check that every test project ran: a project dropped from the
# solution, a filter that leaves a project empty or a discovery failure must turn the run red, not vanish from
# the totals. The expected projects are the folders named tests/*.Tests (tests/Directory.Build.props makes every
# such project a test project); each TRX names its test assembly in its storage attribute.
passed=0; failed=0; skipped=0
declare -A executed_by_project=()
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters="$( (grep -o "<Counters [^>]*>" "$trx" || true) | head -n 1)"
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
  assembly="$(grep -o 'storage="[^"]*"' "$trx" | head -n 1 | sed 's/^storage="//; s/"$//; s#.*/##; s/\.dll$//' | tr '[:upper:]' '[:lower:]')"
  if [ -n "$assembly" ]; then
    executed_by_project[$assembly]=$(( ${executed_by_project[$assembly]:-0} + ${executed:-0} ))
  fi
done
for project in "$root"/tests/*.Tests/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  key="$(echo "$name" | tr '[:upper:]' '[:lower:]')"
  if [ "${executed_by_project[$key]:-0}" -eq 0 ]; then
    echo "error: test project $name executed no test (missing from the solution, filtered out, or discovery failed)" >&2
    status=1
    failed=$((failed + 1))
  else
    echo "$name: ${executed_by_project[$key]} tests executed"
  fi
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
