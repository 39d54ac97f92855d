#!/usr/bin/env bash
# Interactive evaluation smoke: a small corpus served in-process, investigated by the real
# kubectl (examples/kubectl_agent.py), by the official MCP Python client (examples/mcp_agent.py)
# and by the built-in rules-agent; checks that trajectories.parquet has calls for every case and
# that kubectl's requests and the MCP agent's tool calls are recorded.
# Usage: .ci/interactive.sh TRIAGEBENCH WORK
set -euo pipefail
tb=$1
work=$2
corpus="$work/interactive-corpus"
reports="$work/interactive-reports"
"$tb" generate --count 30 --seed 9 --out "$corpus" --quiet > /dev/null
python3 -c 'import duckdb, mcp' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check -r .ci/requirements.txt
runs="mcp rules-agent"
if command -v kubectl >/dev/null; then
  runs="kubectl mcp rules-agent"
  "$tb" eval --interactive --classifier 'cmd:python3 examples/kubectl_agent.py' --corpus "$corpus" \
    --reports "$reports" --run-id kubectl --quiet | sed -n '/^level/,/^$/p;/^OpenSRE/p;/^trajectories/,/^$/p'
else
  # as server/tests/kubectl.rs: skipped, with a notice, only when kubectl is not installed
  echo "notice: kubectl is not installed; the kubectl agent is skipped"
fi
"$tb" eval --interactive --classifier 'cmd:python3 examples/mcp_agent.py' --corpus "$corpus" \
  --reports "$reports" --run-id mcp --quiet | sed -n '/^level/,/^$/p;/^OpenSRE/p;/^trajectories/,/^$/p'
"$tb" eval --interactive --classifier rules-agent --corpus "$corpus" --reports "$reports" \
  --run-id rules-agent --quiet | sed -n '/^level/,/^$/p;/^OpenSRE/p;/^trajectories/,/^$/p'
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
actions = {r[0] for r in duckdb.sql(
    f"select distinct action from '{reports}/mcp/trajectories.parquet' where verb = 'tool' and status = 200").fetchall()}
for want in ("list_eks_pods", "get_eks_events"):
    assert want in actions, f"the MCP agent's {want} is not recorded: {sorted(actions, key=str)}"
print("interactive: the MCP agent's tool calls recorded:", ", ".join(sorted(a for a in actions if a)))
print("interactive: every case of", ", ".join(runs), "has a trajectory")
PY
