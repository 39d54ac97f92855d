#!/usr/bin/env bash
# Throughput of the interactive evaluation for `just bench-interactive`: medians of RUNS runs of
# `eval --interactive --classifier rules-agent` on a generated corpus of COUNT scenarios:
# scenarios/s (classification, i.e. the agents investigating through the in-process server, and
# end to end) and API calls served per second during classification.
#
# COUNT (1000), RUNS (3), BENCH_DIR (tmpfs when present) and TB (a triagebench binary; default:
# the release build) can be set in the environment. The machine is shared and noisy: read medians.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-1000}
runs=${RUNS:-3}
if [ -z "${BENCH_DIR:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_DIR=$(mktemp -d /dev/shm/triagebench-bench.XXXXXX)
  else BENCH_DIR=$(mktemp -d); fi
fi
trap 'rm -rf "$BENCH_DIR"' EXIT
if [ -z "${TB:-}" ]; then
  echo "building the release binary (first time: several minutes)"
  cargo build --quiet --release --locked -p triagebench
  TB="${CARGO_TARGET_DIR:-target}/release/triagebench"
fi
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

corpus="$BENCH_DIR/corpus"
"$TB" generate --count "$count" --seed 5 --out "$corpus" --quiet >/dev/null
echo "corpus: $count scenarios in $BENCH_DIR, $runs runs, $(nproc) cores, rules-agent"
sps=() e2e=() cps=()
for i in $(seq "$runs"); do
  out=$("$TB" eval --interactive --classifier rules-agent --corpus "$corpus" \
    --reports "$BENCH_DIR/reports" --run-id "bench-$i" --quiet)
  run="$BENCH_DIR/reports/bench-$i/run.json"
  s=$(field "$run" scenarios_per_second); w=$(field "$run" wall_seconds)
  sps+=("$(printf '%.1f' "$s")")
  e2e+=("$(printf '%.1f' "$(field "$run" end_to_end_scenarios_per_second)")")
  per_case=$(printf '%s\n' "$out" | awk '/^trajectories/ {t=1; next} t && $1=="run" {print $2; exit}')
  cps+=("$(awk -v c="$per_case" -v n="$count" -v w="$w" 'BEGIN {printf "%.0f", c*n/w}')")
done
printf '\n%-48s %10s   %s\n' "measure" "median" "runs"
printf '%-48s %10s   %s\n' "interactive scenarios/s (classification)" "$(printf '%s\n' "${sps[@]}" | median)" "${sps[*]}"
printf '%-48s %10s   %s\n' "interactive scenarios/s (end to end)" "$(printf '%s\n' "${e2e[@]}" | median)" "${e2e[*]}"
printf '%-48s %10s   %s\n' "API calls served/s (during classification)" "$(printf '%s\n' "${cps[@]}" | median)" "${cps[*]}"
