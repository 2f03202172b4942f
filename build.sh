#!/usr/bin/env bash
# Bootstrapper: restores the pinned local tools (Cake.Tool) and runs build.cake with the arguments passed through.
# Usage: ./build.sh --target=Run | --target=Test | --target=Build | --target=LoadTest | --target=Bench
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
case " $* " in
  *" --target=Test "*|*" --target Test "*) ;;
  # Run must stay the foreground process so that Ctrl+C and SIGTERM reach it directly.
  *) exec dotnet tool run dotnet-cake -- build.cake "$@" ;;
esac
# The Test target writes its totals to a file; printed last and uncoloured, it is the plain "N passed, N failed" line CI reads.
rm -f artifacts/test-summary.txt
status=0
dotnet tool run dotnet-cake -- build.cake "$@" || status=$?
if [ -f artifacts/test-summary.txt ]; then cat artifacts/test-summary.txt; else echo "0 passed, 1 failed"; fi
exit "$status"
