#!/usr/bin/env bash
# Fuzzes one engine target with AFL++ through SharpFuzz and copies new corpus entries (and crashes) back into
# tests/SecretStore.Tests/FuzzCorpus/<target>/, where the xunit replay runs them on every test run.
# Usage: ./build/fuzz.sh <v1|v2|v3|store|keyring|keytext|placeholders|json|xml|ini|properties|env|yaml> [seconds=60]
# Needs: afl++ (apt-get install afl++) and the SharpFuzz.CommandLine dotnet tool (installed here on first use).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:?usage: build/fuzz.sh <target> [seconds]}"
seconds="${2:-60}"
corpus="$root/tests/SecretStore.Tests/FuzzCorpus/$target"
[ -d "$corpus" ] || { echo "no corpus folder $corpus" >&2; exit 2; }
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 1; }

tools="$root/.ci-tools/dotnet-tools"
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi

out="$root/artifacts/fuzz/bin"
if [ ! -f "$out/.instrumented" ]; then
  rm -rf "$out"
  dotnet publish "$root/tests/SecretStore.Fuzz/SecretStore.Fuzz.csproj" -c Release -o "$out" >/dev/null
  # Only the engine is instrumented: coverage of the BCL would drown the signal.
  "$tools/sharpfuzz" "$out/SecretStore.dll"
  touch "$out/.instrumented"
fi

findings="$root/artifacts/fuzz/findings-$target"
rm -rf "$findings"
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1
# -t: the first input of a resolver target also makes an RSA keyring (seconds on a busy machine); -m none: the runtime reserves far more virtual memory than AFL's default limit.
timeout --signal=INT "$seconds" afl-fuzz -i "$corpus" -o "$findings" -t 20000 -m none -- dotnet "$out/SecretStore.Fuzz.dll" "$target" >"$findings.log" 2>&1 || true

queue="$findings/default/queue"
crashes="$findings/default/crashes"
added=0
for file in "$queue"/id:* "$crashes"/id:*; do
  [ -f "$file" ] || continue
  case "$file" in *orig:*) continue ;; esac
  name="afl-$(sha1sum "$file" | cut -c1-16)"
  [ -f "$corpus/$name" ] || { cp "$file" "$corpus/$name"; added=$((added + 1)); }
done
crashcount=$(find "$crashes" -name 'id:*' 2>/dev/null | wc -l)
echo "$target: $added new corpus entries, $crashcount crashes (see $findings, replay with: dotnet $out/SecretStore.Fuzz.dll replay $target <file>)"
