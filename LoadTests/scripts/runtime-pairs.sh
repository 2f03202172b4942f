#!/usr/bin/env bash
# Compares runtime settings of our server in alternation, on a shared and noisy machine: each round runs the
# default and every candidate back to back (the order rotates per round), and the summary gives, per candidate,
# the median over rounds of its ratio to the default of the same round (server CPU per delivery, latency p99).
#
#   LoadTests/scripts/runtime-pairs.sh LOAD ROUNDS CANDIDATE...
#   LOAD: low (20 clients, 1 sender, 200 msg/s: 4 000 deliveries/s), medium (300×10×50: 150 000/s), high (200×20×100: 400 000/s)
#   CANDIDATE: one or more DOTNET_*=VALUE settings joined by commas, e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
#
# Every run goes to artifacts/runtime-pairs/LOAD/ROUND-N/ (the runner's reports); a run whose checks fail counts as lost.
set -euo pipefail
cd "$(dirname "$0")/../.."
load=${1:?LOAD: low, medium or high}; rounds=${2:?ROUNDS}; shift 2
case "$load" in
  low) shape=(--clients 20 --senders 1 --rate 200) ;;
  medium) shape=(--clients 300 --senders 10 --rate 500) ;;
  high) shape=(--clients 200 --senders 20 --rate 2000) ;;
  *) echo "LOAD must be low, medium or high" >&2; exit 2 ;;
esac
[ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] || { echo "ROUNDS must be 1 to 20" >&2; exit 2; }
configs=(default "$@")
out=artifacts/runtime-pairs/$load
mkdir -p "$out"
results=$out/results.tsv
: > "$results"
runner=LoadTests/bin/Release/net10.0/LoadTests.dll

for ((round = 1; round <= rounds; round++)); do
  count=${#configs[@]}
  for ((i = 0; i < count; i++)); do
    config=${configs[$(((i + round - 1) % count))]}
    envs=(--env CHAT_STORE=memory)
    if [ "$config" != default ]; then
      IFS=, read -ra pairs <<< "$config"
      for pair in "${pairs[@]}"; do envs+=(--env "$pair"); done
    fi
    mkdir -p "$out/round-$round"
    dir=$out/round-$round/$(echo "$config" | tr -c 'A-Za-z0-9=_,\n' '_')
    if timeout 120 dotnet "$runner" run fanout "${shape[@]}" "${envs[@]}" --duration 8 --warmup 3 --ramp 1 --no-live --out "$dir" > "$dir.log" 2>&1; then
      python3 - "$dir/report.json" "$round" "$config" >> "$results" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
figures = {f["name"] if "name" in f else f["figure"]: f["value"] for f in report["figures"]}
deliver = next(s for s in report["steps"] if s["step"] == "deliver")
print(sys.argv[2], sys.argv[3], figures["server CPU per delivered msg"], deliver["latency"]["p99"], figures["delivered msgs/s"], sep="\t")
PY
    else
      echo "round $round $config: run failed, see $dir.log" >&2
    fi
    tail -n 1 "$results" 2>/dev/null || true
  done
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
by_round = {}
for round_, config, cpu, p99, delivered in rows:
    by_round.setdefault(round_, {})[config] = (float(cpu), float(p99), float(delivered))
configs = sorted({r[1] for r in rows}, key=lambda c: (c != "default", c))
print("config\tcpu µs median [min-max]\tp99 ms median\tcpu ratio median [min-max]\tp99 ratio median\tpairs")
for config in configs:
    own = [runs[config] for runs in by_round.values() if config in runs]
    pairs = [(runs[config], runs["default"]) for runs in by_round.values() if config in runs and "default" in runs]
    cpu = [o[0] for o in own]
    line = f"{config}\t{statistics.median(cpu):.2f} [{min(cpu):.2f}-{max(cpu):.2f}]\t{statistics.median(o[1] for o in own):.1f}"
    if config != "default" and pairs:
        ratio = [a[0] / b[0] for a, b in pairs]
        p99 = [a[1] / b[1] for a, b in pairs]
        line += f"\t{statistics.median(ratio):.2f} [{min(ratio):.2f}-{max(ratio):.2f}]\t{statistics.median(p99):.2f}\t{len(pairs)}"
    print(line)
PY
