#!/usr/bin/env bash
# The newcomer's first command: packs SecretStore.Build and the secretstore tool to a local feed, creates a throwaway RSA keyring and
# file store holding demo secrets, publishes samples/WebApp (Release: web.Release.config is applied) and
# samples/WorkerApp with the package, and shows the resolved config files next to their sources.
# Everything happens in a temporary folder (printed at the end); the repository is not changed.
# Usage: ./build/demo.sh [work folder]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1

work="${1:-$(mktemp -d "${TMPDIR:-/tmp}/secretstore-demo.XXXXXX")}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
version="0.1.0-demo.$(date -u +%Y%m%d%H%M%S)"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Packing SecretStore.Build and the secretstore tool $version to $work/feed"
for project in SecretStore.Build SecretStore.Cli; do
  dotnet pack "$root/src/$project/$project.csproj" -c Release -o "$work/feed" -p:Version="$version" -nodeReuse:false -v:q -nologo
done
dotnet tool install SecretStore.Tool --tool-path "$work/tools" --add-source "$work/feed" --version "$version" >/dev/null
secretstore() { "$work/tools/secretstore" "$@"; }

# The commands a user types: a keyring, one `set` per secret (the value on stdin, never an argument), and the
# reader secret that a CI variable would hold. The values are throwaway demo data with quotes, backslashes and
# markup characters, to show that each file format gets them escaped.
step "Creating a throwaway RSA keyring and file store in $work/store with the secretstore tool"
secretstore keys init "$work/store/keyring" --key-id demo --key-size 2048 >/dev/null
export SECRETSTORE_STORE="file:$work/store/secrets.json" SECRETSTORE_KEYRING="$work/store/keyring"
while IFS='|' read -r id value; do
  printf '%s' "$value" | secretstore set "$id" >/dev/null
done <<'SECRETS'
WebApp/ConnectionStrings.Default|Server=db.internal;Database=shop;User Id=web;Password=demo"pa\ss<&>
WebApp/Api.Token|demo-api-token-4f1c
WebApp/Payments.ApiKey|demo-payments-key-77aa
WebApp/Smtp.Password|demo-smtp-<&"'>-password
WorkerApp/Queue.Password|demo-queue-"&<>-password
WorkerApp/ConnectionStrings.Reporting|Host=reports;Username=worker;Password=demo'reports
WorkerApp/Storage.AccessKey|demo-storage-key-c0ffee
WorkerApp/Storage.SigningKey|demo-signing-key-5e5e
SECRETS
(umask 077 && secretstore keys export-reader "$work/store/keyring" > "$work/store/reader.key")
unset SECRETSTORE_STORE SECRETSTORE_KEYRING
secretstore list WebApp --store "file:$work/store/secrets.json" --keyring "$work/store/keyring"

# A user's setup: the samples, a nuget.config with the local feed, the package version.
cp -R "$root/samples/WebApp" "$root/samples/WorkerApp" "$work/"
rm -rf "$work"/WebApp/{bin,obj} "$work"/WorkerApp/{bin,obj}
cat > "$work/nuget.config" <<XML
<configuration>
  <packageSources>
    <clear />
    <add key="demo-feed" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
</configuration>
XML
printf '<Project><PropertyGroup><SecretStoreBuildVersion>%s</SecretStoreBuildVersion></PropertyGroup></Project>\n' "$version" > "$work/Directory.Build.props"
printf '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>\n' > "$work/Directory.Packages.props"

# As on CI: the private key and the trust anchor come from a variable holding the reader secret
# (secretstore keys export-reader), not from the keyring folder.
SECRETSTORE_DEMO_READER_KEY="$(cat "$work/store/reader.key")"
export SECRETSTORE_DEMO_READER_KEY
store=(-p:SecretStoreFile="$work/store/secrets.json" -p:SecretStoreKeyring="$work/store/keyring" -p:SecretStorePrivateKeyVariable=SECRETSTORE_DEMO_READER_KEY)
for app in WebApp WorkerApp; do
  step "dotnet publish $app -c Release -o $work/publish/$app"
  dotnet publish "$work/$app/$app.csproj" -c Release -o "$work/publish/$app" "${store[@]}" -nodeReuse:false -nologo
done

show() { printf '\n\033[1m-- %s\033[0m\n' "$1"; sed -e '$a\' "$1"; }
step "Sources keep their placeholders"
show "$work/WebApp/appsettings.json"
show "$work/WebApp/web.Release.config"
step "The publish folders hold the values (JSON- and XML-escaped as each format needs)"
show "$work/publish/WebApp/appsettings.json"
show "$work/publish/WebApp/appsettings.Production.json"
show "$work/publish/WebApp/web.config"
show "$work/publish/WorkerApp/WorkerApp.dll.config"
step "The published worker reads its settings (it prints whether they are set, never the values)"
dotnet "$work/publish/WorkerApp/WorkerApp.dll"

step "Done. Everything is in $work (delete it when you are done)."
