#!/usr/bin/env bash
# Issue 13's scale goal: packed corpora of SMALL and LARGE scenarios (default 100,000 and
# 1,000,000), generated and evaluated with the release binary; prints wall time, CPU time, peak
# RSS and bytes on disk of each, the LARGE / SMALL time ratios (goal <= 11x for 10x the
# scenarios) and whether each peak RSS is under 1 GiB (the goal at 1M).
#
#   bench/scale.sh [SMALL LARGE]        `just bench-scale`, `just bench-scale 2000 20000`
#
# One run of each (a 1M run takes more than an hour on 2 cores; medians would take a day):
# read the ratios with the load average printed beside them. Packs go to BENCH_DIR (default: a
# temporary directory under /var/tmp, since 1M packed is ~16 GB, more than a tmpfs holds) and
# are deleted after. `generate --format pack` compresses each scenario with zstd (README,
# "Packed corpora").
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-100000}
large=${2:-1000000}
for n in "$small" "$large"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: sizes are positive whole numbers, got \"$n\"" >&2; exit 2; }
done
[ "$large" -gt "$small" ] || { echo "scale.sh: LARGE ($large) must exceed SMALL ($small)" >&2; exit 2; }
BENCH_DIR=${BENCH_DIR:-$(mktemp -d /var/tmp/triagebench-scale.XXXXXX)}
trap 'rm -rf "$BENCH_DIR"' EXIT
target=${CARGO_TARGET_DIR:-target}
echo "building the release binary (first time: several minutes)"
cargo build --quiet --release --locked -p triagebench
tb="$target/release/triagebench"

# Prints "wall_s cpu_s peak_MiB" of a command (GNU time).
measure() {
  local out; out=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' "$@" >/dev/null 2>"$out" || { cat "$out" >&2; exit 1; }
  tail -n 1 "$out" | awk '{printf "%.1f %.1f %.0f\n", $1, $2 + $3, $4 / 1024}'
  rm -f "$out"
}

echo "packs in $BENCH_DIR, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%-10s %-10s %10s %10s %10s %12s\n' scenarios step wall_s cpu_s peak_MiB disk_MB
declare -A wall rss_gen rss_eval
for n in "$small" "$large"; do
  pack="$BENCH_DIR/p$n"
  read -r w c m < <(measure "$tb" generate --count "$n" --seed 42 --out "$pack" --format pack --quiet)
  disk=$(du -sm "$pack" | cut -f1)
  printf '%-10s %-10s %10s %10s %10s %12s\n' "$n" generate "$w" "$c" "$m" "$disk"
  wall[gen$n]=$w; rss_gen[$n]=$m
  read -r w c m < <(measure "$tb" eval --corpus "$pack" --reports "$BENCH_DIR/reports" --run-id "scale-$n" --quiet)
  printf '%-10s %-10s %10s %10s %10s\n' "$n" eval "$w" "$c" "$m"
  wall[eval$n]=$w; rss_eval[$n]=$m
  rm -rf "$pack"
done
echo
for step in gen eval; do
  awk -v a="${wall[$step$small]}" -v b="${wall[$step$large]}" -v s="$small" -v l="$large" -v step="$step" \
    -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN {printf "%-44s %8.2fx   (goal <= %.1fx: linear is %.0fx; load now %s)\n", step " time " l " / " s, b/a, 1.1*l/s, l/s, load}'
done
for step in gen eval; do
  if [ "$step" = gen ]; then m=${rss_gen[$large]}; else m=${rss_eval[$large]}; fi
  awk -v m="$m" -v l="$large" -v step="$step" \
    'BEGIN {printf "%-44s %8s MiB (%s 1 GiB; the goal: under it at 1,000,000)\n", step " peak RSS at " l, m, (m < 1024 ? "under" : "over")}'
done
