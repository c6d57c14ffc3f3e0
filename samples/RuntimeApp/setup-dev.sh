#!/usr/bin/env bash
# The one step before `dotnet run`: creates this sample's Development keyring and file store (in .secretstore/, next
# to secretstore.json) and sets its three secrets. Uses the `secretstore` tool when it is on PATH, else builds it from
# this repository. Run it again to start over.
#
# Usage: ./setup-dev.sh [folder]   (default: this sample's folder; the folder must hold secretstore.json)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
folder="$(cd "${1:-$here}" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if command -v secretstore >/dev/null 2>&1; then
  secretstore() { command secretstore "$@"; }
else
  tool="${TMPDIR:-/tmp}/secretstore-sample-cli"
  dotnet build "$here/../../src/SecretStore.Cli/SecretStore.Cli.csproj" -c Release -o "$tool" -nologo -v:q >/dev/null
  secretstore() { dotnet "$tool/SecretStore.Cli.dll" "$@"; }
fi

cd "$folder"
rm -rf .secretstore
secretstore keys init .secretstore/keyring --key-id dev >/dev/null
printf '%s' "Hello from the Development store" | secretstore set Greeting >/dev/null
printf '%s' "dev-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" | secretstore set Db.Password >/dev/null
printf '%s' "5672" | secretstore set Queue.Port >/dev/null
secretstore list RuntimeApp
echo "Ready: dotnet run --project '$here'"
