#!/usr/bin/env bash
# Peak RSS, wall and CPU time of `eval --classifier rules` per corpus size (`just bench-memory`),
# the measure of the streaming pipeline's memory bound: the peak should stay flat as the
# corpus grows. Also the parse floor (reading and parsing the same files) in the same build.
#
#   bench/memory.sh [SIZES...]      default sizes: 2000 10000 50000
#
# PROFILE (debug, or release) picks the build; BEFORE=path/to/triagebench also measures that
# binary on the same corpora (e.g. a build of the commit before the streaming pipeline).
# Corpora are generated under BENCH_DIR (tmpfs /dev/shm when present) and deleted after.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(2000 10000 50000)
profile=${PROFILE:-debug}
if [ -z "${BENCH_DIR:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_DIR=$(mktemp -d /dev/shm/triagebench-mem.XXXXXX)
  else BENCH_DIR=$(mktemp -d); fi
fi
trap 'rm -rf "$BENCH_DIR"' EXIT
target=${CARGO_TARGET_DIR:-target}
flag=(); [ "$profile" = release ] && flag=(--release)
cargo build --quiet "${flag[@]}" --locked --workspace --bin triagebench
cargo build --quiet "${flag[@]}" --locked --workspace --example parse_floor
tb="$target/$profile/triagebench"
floor="$target/$profile/examples/parse_floor"

# Prints "peak_rss_MB wall_s cpu_s" of a command (GNU time -v).
measure() {
  local out; out=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$out"
  awk -F': ' '/Maximum resident/ {rss=$2/1024} /User time/ {u=$2} /System time/ {s=$2}
    /Elapsed \(wall/ {n=split($2,t,":"); w=0; for (i=1;i<=n;i++) w=w*60+t[i]}
    END {printf "%10.0f %8.1f %8.1f\n", rss, w, u+s}' "$out"
  rm -f "$out"
}

echo "build: $profile, $(nproc) cores, corpora in $BENCH_DIR"
printf '%-8s %-22s %10s %8s %8s\n' size measure peak_MB wall_s cpu_s
for n in "${sizes[@]}"; do
  corpus="$BENCH_DIR/c$n"
  "$tb" generate --count "$n" --seed 42 --out "$corpus" --force --quiet >/dev/null
  printf '%-8s %-22s %s\n' "$n" "eval rules" "$(measure "$tb" eval --corpus "$corpus" \
    --reports "$BENCH_DIR/reports" --quiet --run-id "mem-$n")"
  if [ -n "${BEFORE:-}" ]; then
    printf '%-8s %-22s %s\n' "$n" "eval rules (BEFORE)" "$(measure "$BEFORE" eval --corpus "$corpus" \
      --reports "$BENCH_DIR/reports" --quiet --run-id "mem-before-$n")"
  fi
  printf '%-8s %-22s %s\n' "$n" "parse floor" "$(measure "$floor" "$corpus")"
  rm -rf "$corpus" "$BENCH_DIR/reports"
done
