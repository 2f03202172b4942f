#!/usr/bin/env bash
# Bootstrapper: restores the pinned local tools (Cake.Tool) and runs build.cake with the arguments passed through.
# Usage: ./build.sh --target=Run | --target=Test | --target=Build | --target=LoadTest | --target=Bench
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
exec dotnet tool run dotnet-cake -- build.cake "$@"
