#!/usr/bin/env bash
# kill -9 at random moments (issue 14, item 2): `generate` and `eval` are killed mid-run N times;
# after each kill the corpus and the reports must be either the old complete ones or absent
# (never half written), and the next run must remove every leftover of the killed process (it
# says so on stderr) and succeed. Not part of the unit suite: it takes a minute or two.
#
# Usage: .ci/stress.sh [ROUNDS]   (needs the release binary: `just build`)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
tb=${CARGO_TARGET_DIR:-target}/release/triagebench
[ -x "$tb" ] || { echo "build first: just build" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=$work/corpora/c
reports=$work/reports
"$tb" generate --count 300 --out "$corpus" --quiet >/dev/null
leftovers() { find "$work/corpora" "$reports" -maxdepth 1 -name '.*' 2>/dev/null | grep -v '\.lock$' || true; }
for i in $(seq 1 "$rounds"); do
  # A random moment within the first ~1.5 s of each command.
  delay=$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", rand() * 1.5 }')
  "$tb" generate --count 3000 --seed "$i" --out "$corpus" --force --quiet >/dev/null 2>&1 &
  pid=$!; sleep "$delay"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  # Killed between the two renames of the swap, the corpus is absent (never half written).
  if [ -e "$corpus" ]; then
    "$tb" validate "$corpus" >/dev/null || { echo "round $i: corpus half written after kill" >&2; exit 1; }
  fi
  "$tb" eval --corpus "$corpus" --reports "$reports" --quiet >/dev/null 2>&1 &
  pid=$!; sleep "$delay"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  for run in "$reports"/*/; do
    [ -d "$run" ] || continue
    [ -f "$run/run.json" ] || { echo "round $i: $run has no run.json" >&2; exit 1; }
  done
  # The next runs sweep what the killed ones left.
  "$tb" generate --count 300 --seed "$i" --out "$corpus" --force --quiet >/dev/null 2>"$work/err"
  "$tb" eval --corpus "$corpus" --reports "$reports" --quiet >/dev/null 2>>"$work/err"
  left=$(leftovers)
  if [ -n "$left" ]; then echo "round $i: leftovers remain:" >&2; echo "$left" >&2; exit 1; fi
  "$tb" history --reports "$reports" >/dev/null
  echo "round $i: killed after ${delay}s; $(grep -c removed "$work/err" || true) leftover(s) removed; clean"
done
echo "stress: $rounds rounds, nothing lost, nothing left behind"
