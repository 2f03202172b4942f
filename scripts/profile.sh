#!/usr/bin/env bash
# Where the time goes: runs one LoadTests scenario with perf maps on (JIT frames get names), records every CPU of the
# machine with `perf record -a -g` in the middle of the measured window, and splits the samples by process and by part
# of the server. Needs perf (Debian: linux-perf) and a Release build (./build.sh --target=Build).
#   scripts/profile.sh fanout --clients 100 --senders 10 --rate 100 --env CHAT_STORE=memory --duration 20
#   scripts/profile.sh ingest --duration 20
# START_AFTER (default 10 s: start-up and the 3 s warm-up) and RECORD (default 6 s) place the recording.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/profile
mkdir -p "$out"
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
dotnet LoadTests/bin/Release/net10.0/LoadTests.dll run "$@" --no-live --out "$out/run" > "$out/run.log" 2>&1 &
runner=$!
sleep "${START_AFTER:-10}"
# The server the runner started (its child: ours or any --target), not another server running on the machine.
server=$(pgrep -n -P "$runner" || true)
perf record -a -g -F 999 -o "$out/perf.data" -- sleep "${RECORD:-6}" > /dev/null 2>&1
wait "$runner" || echo "the load run failed: see $out/run.log" >&2
if [ -z "$server" ]; then echo "no server process was running when the recording started" >&2; exit 1; fi
perf script -i "$out/perf.data" -F comm,pid,tid,ip,sym,dso 2>/dev/null | python3 scripts/where-the-time-goes.py "$server" | tee "$out/where-the-time-goes.txt"
grep -E "server ingest|server CPU per|delivered msgs/s" "$out/run.log" || true
