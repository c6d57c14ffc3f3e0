#!/usr/bin/env bash
# Mutation testing with Stryker.NET (pinned in .config/dotnet-tools.json): breaks the production code on purpose,
# one mutant at a time, and reports which mutants the tests kill. Not part of .ci/run (a full run takes far longer
# than CI allows); see docs/testing.md for the scores, the timings and the survivors judged equivalent.
#
# Usage: build/mutation.sh [--since <git ref>] [--concurrency N] [PATTERN ...]
#   PATTERN   a Stryker mutate glob relative to its project, e.g. '**/Formats/V2Envelope.cs'; patterns under
#             src/SecretStore.Aws/ (or starting with 'aws:') go to the AWS project, the rest to the engine.
#             Default: the security-critical folders (engine Formats/ Stores/ Keys/ Resolution/ Repositories/,
#             AWS Kms/ DynamoDb/).
#   --since   mutate only what changed since the ref (Stryker's diff mode), for a quick check of one change.
# Reports: artifacts/mutation/<project>/reports/mutation-report.{html,json}, and a per-folder score table on stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 AWS_EC2_METADATA_DISABLED=true

since=""; concurrency="$(nproc)"; engine=(); aws=()
while [ $# -gt 0 ]; do
  case "$1" in
    --since) since="$2"; shift 2 ;;
    --since=*) since="${1#--since=}"; shift ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    aws:*) aws+=("${1#aws:}"); shift ;;
    src/SecretStore.Aws/*) aws+=("**/${1#src/SecretStore.Aws/}"); shift ;;
    src/SecretStore/*) engine+=("**/${1#src/SecretStore/}"); shift ;;
    *) engine+=("$1"); shift ;;
  esac
done
if [ ${#engine[@]} -eq 0 ] && [ ${#aws[@]} -eq 0 ]; then
  engine=('**/Formats/**/*.cs' '**/Stores/**/*.cs' '**/Keys/**/*.cs' '**/Resolution/**/*.cs' '**/Repositories/**/*.cs')
  aws=('**/Kms/**/*.cs' '**/DynamoDb/**/*.cs')
fi

# shellcheck source=lib/test-services.sh
. "$root/build/lib/test-services.sh"
install_test_tools
trap stop_test_services EXIT

out="$root/artifacts/mutation"
mkdir -p "$out"

# run_stryker <project folder> <test project>... -- <patterns>...
run_stryker() {
  local project="$1"; shift
  local args=() name
  name="$(basename "$project")"
  while [ "$1" != "--" ]; do args+=(--test-project "$root/$1"); shift; done
  shift
  for pattern in "$@"; do args+=(--mutate "$pattern"); done
  [ -n "$since" ] && args+=("--since:$since")
  echo "== Stryker on $name: $*"
  local started=$SECONDS
  rm -rf "$out/$name"
  # The config file holds the one filter (see its comment in docs/testing.md): ConfigureAwait's argument.
  (cd "$root/$project" && dotnet stryker "${args[@]}" --config-file "$root/build/stryker-config.json" --configuration Release --concurrency "$concurrency" \
    --reporter Html --reporter Json --reporter Progress --output "$out/$name" --skip-version-check)
  echo "== $name: $((SECONDS - started)) s"
}

# Engine mutants are judged by the engine tests: the hardening suite's kill and large-file cases run child
# processes and take minutes per mutant, and add nothing the engine tests do not cover for these folders.
# The engine's runtime runner (Runtime/, Resolution/Values/) is driven by the provider's tests, so they judge engine
# mutants too; their real-process tests run the app out of process and cover no mutant, so Stryker never runs them.
# (Stryker's first run runs every test, and the provider's AWS test needs DynamoDB Local.)
start_dynamodb_local
if [ ${#engine[@]} -gt 0 ]; then
  run_stryker src/SecretStore tests/SecretStore.Tests/SecretStore.Tests.csproj \
    tests/SecretStore.Extensions.Configuration.Tests/SecretStore.Extensions.Configuration.Tests.csproj -- "${engine[@]}"
fi
if [ ${#aws[@]} -gt 0 ]; then
  run_stryker src/SecretStore.Aws tests/SecretStore.Aws.Tests/SecretStore.Aws.Tests.csproj -- "${aws[@]}"
fi

# Score per folder: (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker computes it.
python3 - "$out" <<'PY'
import json, os, sys, collections
out = sys.argv[1]
rows = collections.OrderedDict()
for project in sorted(os.listdir(out)):
    report = os.path.join(out, project, "reports", "mutation-report.json")
    if not os.path.exists(report):
        continue
    files = json.load(open(report))["files"]
    # One line per mutant (file, line, mutator, status): small enough to keep in docs/mutation/ as the record of a run.
    with open(os.path.join(out, project, "reports", "mutants.tsv"), "w") as tsv:
        tsv.write("file\tline\tmutator\tstatus\n")
        for path, data in sorted(files.items()):
            for m in sorted(data["mutants"], key=lambda m: (m["location"]["start"]["line"], m["mutatorName"])):
                if m["status"] != "Ignored" or "mutate filter" not in (m.get("statusReason") or ""):
                    tsv.write(f'{path.split("/src/", 1)[-1]}\t{m["location"]["start"]["line"]}\t{m["mutatorName"]}\t{m["status"]}\n')
    for path, data in sorted(files.items()):
        rel = path.split("/src/", 1)[-1]
        folder = os.path.dirname(rel)
        c = rows.setdefault(folder, collections.Counter())
        for m in data["mutants"]:
            c[m["status"]] += 1
print(f"{'folder':50} {'score':>7} {'killed':>7} {'timeout':>7} {'survived':>8} {'nocov':>6} {'other':>6}")
for folder, c in rows.items():
    if not (c["Killed"] + c["Timeout"] + c["Survived"] + c["NoCoverage"]):
        continue  # nothing mutated here in this run (outside the patterns)
    detected = c["Killed"] + c["Timeout"]
    valid = detected + c["Survived"] + c["NoCoverage"]
    other = sum(c.values()) - valid
    score = f"{100 * detected / valid:.1f}%" if valid else "-"
    print(f"{folder:50} {score:>7} {c['Killed']:>7} {c['Timeout']:>7} {c['Survived']:>8} {c['NoCoverage']:>6} {other:>6}")
PY
