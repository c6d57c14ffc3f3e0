#!/usr/bin/env bash
# Packs every package of the repository (SecretStore, SecretStore.Aws, SecretStore.PostgreSql, SecretStore.Build, Cake.SecretStore,
# SecretStore.Tool, SecretStore.Extensions.Configuration) into one folder feed, all with one version derived from git by MinVer (docs/install.md):
# a commit tagged v1.2.3 packs as 1.2.3, later commits as 1.2.4-alpha.0.<height>, a repository without a tag as
# 0.1.0-alpha.0.<height>.
#
# Usage: ./build/pack.sh [--output DIR] [--build-dir DIR]
#   --output     the feed folder (default artifacts/packages); its *.nupkg files are replaced
#   --build-dir  where the packages are built (default artifacts/pack-build): never the repository's bin/ and obj/,
#                so packing cannot change the assemblies a running test or IDE is using
# Prints the version on the last line of stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

output="$root/artifacts/packages"
build_dir="$root/artifacts/pack-build"
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output="${2:?--output needs a folder}"; shift 2 ;;
    --build-dir) build_dir="${2:?--build-dir needs a folder}"; shift 2 ;;
    *) echo "pack.sh: unknown argument '$1' (usage: ./build/pack.sh [--output DIR] [--build-dir DIR])" >&2; exit 2 ;;
  esac
done
mkdir -p "$output" "$build_dir"
output="$(cd "$output" && pwd)"
build_dir="$(cd "$build_dir" && pwd)"

projects=(
  src/SecretStore/SecretStore.csproj
  src/SecretStore.Aws/SecretStore.Aws.csproj
  src/SecretStore.PostgreSql/SecretStore.PostgreSql.csproj
  src/SecretStore.Build/SecretStore.Build.csproj
  src/Cake.SecretStore/Cake.SecretStore.csproj
  src/SecretStore.Cli/SecretStore.Cli.csproj
  src/SecretStore.Extensions.Configuration/SecretStore.Extensions.Configuration.csproj
)

# One version for all, computed once (MinVer's own target), then given to every pack: a tag pushed while the
# script runs cannot split the set.
version="$(cd "$root" && dotnet msbuild src/SecretStore/SecretStore.csproj -nologo -restore -t:MinVer \
  -getProperty:MinVerVersion -p:UseArtifactsOutput=true "-p:ArtifactsPath=$build_dir" -p:Configuration=Release \
  -nodeReuse:false)"
version="${version//[[:space:]]/}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "pack.sh: MinVer gave no version ('$version'); is this a git clone with its history?" >&2
  exit 1
fi

# A release (HEAD tagged vX.Y.Z) must ship an action and a pipeline template that install that same tool version.
if git -C "$root" describe --tags --exact-match --match 'v[0-9]*' HEAD >/dev/null 2>&1; then
  for file in action.yml build/azure-pipelines/secretstore-resolve.yml; do
    default="$(awk '/^  version:$|^  - name: version$/{found=1} found && /^ +default:/{gsub(/['"'"'"]/,"",$2); print $2; exit}' "$root/$file")"
    if [ "$default" != "$version" ]; then
      echo "pack.sh: $file installs tool version '$default' by default, but this release is $version; set its default to $version." >&2
      exit 1
    fi
  done
fi

find "$output" -maxdepth 1 -name '*.nupkg' -delete
for project in "${projects[@]}"; do
  echo "Packing $project $version"
  (cd "$root" && dotnet pack "$project" -c Release -o "$output" --artifacts-path "$build_dir" \
    "-p:Version=$version" -nodeReuse:false -nologo -v:q)
done

# The tool comes as three: SecretStore.Tool (which names the other two), .linux-x64 (ReadyToRun) and .any.
expected=$(( ${#projects[@]} + 2 ))
count="$(find "$output" -maxdepth 1 -name "*.$version.nupkg" | wc -l)"
if [ "$count" -ne "$expected" ]; then
  echo "pack.sh: expected $expected packages of version $version in $output, found $count" >&2
  exit 1
fi
echo "Packed $expected packages into $output"
echo "$version"
