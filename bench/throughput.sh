#!/usr/bin/env bash
# Throughput figures for `just bench` and `just bench-generate`: medians of several runs on a
# 10,000-scenario corpus, with the release binary.
#
#   bench/throughput.sh generate    generate scenarios/s (1 and 2 threads)
#   bench/throughput.sh all         the above, plus eval scenarios/s (1 and 2 threads) and the floor:
#                                   the time to just read and JSON/YAML-parse the same files.
#                                   `eval --threads` sets the classifying threads; loading and
#                                   hashing the corpus always use every core.
#
# The Python + Jinja2 peer of the generator (bench/peer/, issue 13) runs on PEER_COUNT scenarios
# (default COUNT/5; its requirements are pip-installed when missing).
# COUNT (10000), RUNS (5) and BENCH_DIR (tmpfs /dev/shm when present, so disk speed does not
# dominate; else a temp dir) can be set in the environment. The machine is shared and noisy:
# read medians, and compare ratios (eval / floor), not single runs.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
count=${COUNT:-10000}
runs=${RUNS:-5}
if [ -z "${BENCH_DIR:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_DIR=$(mktemp -d /dev/shm/triagebench-bench.XXXXXX)
  else BENCH_DIR=$(mktemp -d); fi
fi
trap 'rm -rf "$BENCH_DIR"' EXIT
target=${CARGO_TARGET_DIR:-target}

echo "building release binaries (first time: several minutes)"
cargo build --quiet --release --locked -p triagebench
cargo build --quiet --release --locked -p scenario --example parse_floor
cargo build --quiet --release --locked -p generator --example write_floor
tb="$target/release/triagebench"
floor="$target/release/examples/parse_floor"
write_floor="$target/release/examples/write_floor"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rate() { awk -v n="$1" -v s="$2" -v e="$3" 'BEGIN {printf "%.0f\n", n/(e-s)}'; }

corpus="$BENCH_DIR/corpus"
echo "corpus: $count scenarios in $BENCH_DIR, $runs runs each, $(nproc) cores"
printf '\n%-44s %12s   %s\n' "measure" "median/s" "runs (scenarios/s)"

gen_rates() {
  local threads=$1 all=()
  for _ in $(seq "$runs"); do
    local s e; s=$(now)
    "$tb" generate --count "$count" --seed 42 --out "$corpus" --force --quiet --threads "$threads" >/dev/null
    e=$(now); all+=("$(rate "$count" "$s" "$e")")
  done
  printf '%-44s %12s   %s\n' "generate ($threads threads)" "$(printf '%s\n' "${all[@]}" | median)" "${all[*]}"
  gen_med[$threads]=$(printf '%s\n' "${all[@]}" | median)
}
write_floor_rates() {
  local threads=$1 all=()
  for _ in $(seq "$runs"); do
    rm -rf "$BENCH_DIR/floor-out"
    all+=("$("$write_floor" "$corpus" "$BENCH_DIR/floor-out" "$threads" | awk '{for (i=1;i<=NF;i++) if ($i=="scenarios/s") print $(i-1)}')")
  done
  rm -rf "$BENCH_DIR/floor-out"
  printf '%-44s %12s   %s\n' "write floor: write the same files ($threads threads)" "$(printf '%s\n' "${all[@]}" | median)" "${all[*]}"
  floor_med[$threads]=$(printf '%s\n' "${all[@]}" | median)
}
declare -A gen_med floor_med eval_med parse_med
gen_rates 1
gen_rates 2
write_floor_rates 1
write_floor_rates 2
for t in 1 2; do
  awk -v g="${gen_med[$t]}" -v f="${floor_med[$t]}" -v t="$t" 'BEGIN {printf "%-44s %12.2fx   (goal <= 2x)\n", "generate time / write floor (" t " threads)", f/g}'
done
awk -v a="${gen_med[1]}" -v b="${gen_med[2]}" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {printf "%-44s %12.2fx   (goal >= 1.8x on an idle machine; load now: %s)\n", "generate 2 threads / 1 thread", b/a, load}'

# Issue 13's peer: bench/peer/generate.py, a plain Python 3 + Jinja2 generator of the same files
# (one process), against `generate --threads 1`. Rates are scenarios/s; the peer runs on
# PEER_COUNT scenarios (default COUNT/5) so that its runs take about as long as ours.
peer_count=${PEER_COUNT:-$((count / 5))}
[ "$peer_count" -ge 1 ] || peer_count=1
if ! python3 -c 'import jinja2, yaml' 2>/dev/null; then
  echo "installing the Python peer's requirements (bench/peer/requirements.txt)"
  python3 -m pip install --quiet -r bench/peer/requirements.txt
fi
peer_rates() {
  local all=()
  for _ in $(seq "$runs"); do
    local s e; s=$(now)
    python3 bench/peer/generate.py --count "$peer_count" --seed 42 --out "$BENCH_DIR/peer" --force >/dev/null
    e=$(now); all+=("$(rate "$peer_count" "$s" "$e")")
  done
  rm -rf "$BENCH_DIR/peer"
  printf '%-44s %12s   %s\n' "Python peer ($peer_count scenarios, 1 process)" "$(printf '%s\n' "${all[@]}" | median)" "${all[*]}"
  peer_med=$(printf '%s\n' "${all[@]}" | median)
}
pack_rates() {
  local all=()
  for _ in $(seq "$runs"); do
    local s e; s=$(now)
    "$tb" generate --count "$count" --seed 42 --out "$BENCH_DIR/packed" --force --quiet --threads 1 --format pack >/dev/null
    e=$(now); all+=("$(rate "$count" "$s" "$e")")
  done
  rm -rf "$BENCH_DIR/packed"
  printf '%-44s %12s   %s\n' "generate --format pack (1 thread)" "$(printf '%s\n' "${all[@]}" | median)" "${all[*]}"
  pack_med=$(printf '%s\n' "${all[@]}" | median)
}
peer_rates
awk -v g="${gen_med[1]}" -v p="$peer_med" 'BEGIN {printf "%-44s %12.1fx   (goal >= 10x)\n", "generate (1 thread) / Python peer", g/p}'
pack_rates
awk -v g="$pack_med" -v p="$peer_med" 'BEGIN {printf "%-44s %12.1fx   (goal >= 30x)\n", "generate packed (1 thread) / Python peer", g/p}'

[ "$what" = generate ] && exit 0

eval_rates() {
  local threads=$1 all=() cls=()
  for i in $(seq "$runs"); do
    local s e; s=$(now)
    "$tb" eval --corpus "$corpus" --reports "$BENCH_DIR/reports" --threads "$threads" --quiet --run-id "bench-$threads-$i" >/dev/null
    e=$(now); all+=("$(rate "$count" "$s" "$e")")
    cls+=("$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["scenarios_per_second"]))' "$BENCH_DIR/reports/bench-$threads-$i/run.json")")
  done
  printf '%-44s %12s   %s\n' "eval end to end (classify on $threads threads)" "$(printf '%s\n' "${all[@]}" | median)" "${all[*]}"
  eval_med[$threads]=$(printf '%s\n' "${all[@]}" | median)
  printf '%-44s %12s   %s\n' "  classification alone ($threads threads)" "$(printf '%s\n' "${cls[@]}" | median)" "${cls[*]}"
}
floor_rates() {
  local threads=$1 all=()
  for _ in $(seq "$runs"); do
    all+=("$("$floor" "$corpus" "$threads" | awk '{for (i=1;i<=NF;i++) if ($i=="scenarios/s") print $(i-1)}')")
  done
  printf '%-44s %12s   %s\n' "floor: read + parse files ($threads threads)" "$(printf '%s\n' "${all[@]}" | median)" "${all[*]}"
  parse_med[$threads]=$(printf '%s\n' "${all[@]}" | median)
}
eval_rates 1
eval_rates 2
floor_rates 1
floor_rates 2
# Loading and hashing use every core whatever --threads says, so the eval ratio is read at 2.
awk -v e="${eval_med[2]}" -v f="${parse_med[2]}" 'BEGIN {printf "%-44s %12.2fx   (goal <= 1.3x)\n", "eval time / parse floor (2 threads)", f/e}'
awk -v a="${eval_med[1]}" -v b="${eval_med[2]}" 'BEGIN {printf "%-44s %12.2fx\n", "eval 2 threads / 1 thread (classifying)", b/a}'
