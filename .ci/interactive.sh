#!/usr/bin/env bash
# Interactive evaluation smoke: a small corpus served in-process, investigated by the real
# kubectl (examples/kubectl_agent.py) and by the built-in rules-agent; checks that
# trajectories.parquet has calls for every case and that kubectl's requests are recorded.
# Usage: .ci/interactive.sh TRIAGEBENCH WORK
set -euo pipefail
tb=$1
work=$2
corpus="$work/interactive-corpus"
reports="$work/interactive-reports"
"$tb" generate --count 30 --seed 9 --out "$corpus" --quiet > /dev/null
runs="rules-agent"
if command -v kubectl >/dev/null; then
  runs="kubectl rules-agent"
  "$tb" eval --interactive --classifier 'cmd:python3 examples/kubectl_agent.py' --corpus "$corpus" \
    --reports "$reports" --run-id kubectl --quiet | sed -n '/^level/,/^$/p;/^OpenSRE/p;/^trajectories/,/^$/p'
else
  # as server/tests/kubectl.rs: skipped, with a notice, only when kubectl is not installed
  echo "notice: kubectl is not installed; the kubectl agent is skipped"
fi
"$tb" eval --interactive --classifier rules-agent --corpus "$corpus" --reports "$reports" \
  --run-id rules-agent --quiet | sed -n '/^level/,/^$/p;/^OpenSRE/p;/^trajectories/,/^$/p'
python3 -c 'import duckdb' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check -r .ci/requirements.txt
python3 - "$reports" $runs <<'PY'
import sys, duckdb
reports, runs = sys.argv[1], sys.argv[2:]
for run in runs:
    t = f"'{reports}/{run}/trajectories.parquet'"
    p = f"'{reports}/{run}/predictions.parquet'"
    cases = duckdb.sql(f"select count(distinct scenario_id) from {p}").fetchone()[0]
    touched = duckdb.sql(f"select count(distinct id) from {t}").fetchone()[0]
    assert cases == 30 and touched == cases, f"{run}: {touched} of {cases} cases have calls"
if "kubectl" in runs:
    kinds = {r[0] for r in duckdb.sql(
        f"select distinct verb || ' ' || resource from '{reports}/kubectl/trajectories.parquet'").fetchall()}
    for want in ("list pods", "list events", "list nodes"):
        assert want in kinds, f"kubectl's {want} is not recorded: {sorted(kinds)}"
    print("interactive: kubectl's calls recorded:", ", ".join(sorted(kinds)))
print("interactive: every case of", ", ".join(runs), "has a trajectory")
PY
