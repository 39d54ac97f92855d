#!/usr/bin/env bash
# `triagebench-query slice` over many runs: wall time and peak RSS (`/usr/bin/time -v`).
#
#   bench/query.sh [RUNS] [ROWS]      (defaults 20 runs of 10,000 predictions)
#
# Generates a corpus of ROWS scenarios, evaluates it once with the rule baseline, copies that
# run directory RUNS times (the copies keep the file's run_id column; the directory names
# differ), then times three slices over all of them, 3 times each (medians). Release binaries;
# BENCH_DIR as in bench/throughput.sh (tmpfs when present).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
rows=${2:-10000}
reps=${REPS:-3}
if [ -z "${BENCH_DIR:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_DIR=$(mktemp -d /dev/shm/triagebench-qbench.XXXXXX)
  else BENCH_DIR=$(mktemp -d); fi
fi
trap 'rm -rf "$BENCH_DIR"' EXIT
target=${CARGO_TARGET_DIR:-target}
tb="$target/release/triagebench"
tq="$target/release/triagebench-query"
[ -x "$tb" ] && [ -x "$tq" ] || { echo "build first: just build query-build" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

"$tb" generate --count "$rows" --seed 5 --out "$BENCH_DIR/corpus" --quiet
"$tb" eval --corpus "$BENCH_DIR/corpus" --reports "$BENCH_DIR/one" --run-id base --quiet >/dev/null
rm -rf "$BENCH_DIR/corpus"
mkdir -p "$BENCH_DIR/reports"
for i in $(seq -w 1 "$runs"); do cp -r "$BENCH_DIR/one/base" "$BENCH_DIR/reports/run-$i"; done
size=$(du -sh "$BENCH_DIR/one/base/predictions.parquet" | cut -f1)
echo "$runs runs x $rows predictions ($size each) in $BENCH_DIR; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '\n%-58s %10s %14s\n' "slice" "wall s" "peak RSS MiB"
for by in "difficulty" "family,difficulty" "classifier,signal"; do
  walls=() rss=()
  for _ in $(seq "$reps"); do
    /usr/bin/time -v "$tq" slice --reports "$BENCH_DIR/reports" --by "$by" --format csv \
      >/dev/null 2>"$BENCH_DIR/time.txt"
    walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$BENCH_DIR/time.txt")")
    rss+=("$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$BENCH_DIR/time.txt")")
  done
  printf '%-58s %10s %14s\n' "--by $by ($((runs * rows)) rows)" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)"
done
