#!/usr/bin/env bash
# .ci/mcp-agent.sh TB WORK: the MCP server of `TB serve` driven end to end by
# examples/mcp_agent.py (the official MCP Python SDK, streamable HTTP) on 3 scenarios of
# WORK/corpus, until `eval --interactive` sends such cases itself.
#
# Starts `TB serve --corpus WORK/corpus --bind 127.0.0.1:0 --url-file ... --budget 8`, sends the
# agent one interactive case line per scenario (`--once`, the case line of adapters/PROTOCOL.md
# with `investigate.mcp`, no evidence), and checks each answer: it parses, echoes the id, has
# taxonomy labels, and lists at least 5 tool calls that all succeeded. Then it runs the agent on
# the first scenario again: the server counted the first run's calls against the budget of 8, so
# this run must be refused (a "call budget" tool error) after 2 more calls. Exits non-zero on any
# failure; always stops the server it started.
set -euo pipefail
tb=$1
work=$2
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r .ci/requirements.txt
dir=$(mktemp -d "$work/mcp-agent.XXXXXX")
budget=8
"$tb" serve --corpus "$work/corpus" --bind 127.0.0.1:0 --url-file "$dir/url" --budget "$budget" \
  >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  [ -s "$dir/url" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "mcp-agent: serve exited:"; cat "$dir/serve.log"; exit 1; } >&2
  sleep 0.1
done
[ -s "$dir/url" ] || { echo "mcp-agent: serve wrote no URL in 60 s" >&2; exit 1; }
url=$(head -n 1 "$dir/url")
echo "mcp-agent: serving at $url"

# One interactive case line per scenario (the first 3 directories of the corpus).
python3 - "$work/corpus" "$url" "$dir" <<'EOF'
import hashlib, json, os, re, sys
corpus, url, out = sys.argv[1:]
dirs = sorted(d for d in os.listdir(corpus) if os.path.isfile(os.path.join(corpus, d, "scenario.yml")))[:3]
if len(dirs) < 3:
    sys.exit(f"mcp-agent: {corpus} has fewer than 3 scenarios")
for i, d in enumerate(dirs):
    text = open(os.path.join(corpus, d, "scenario.yml")).read()
    field = lambda k: re.search(rf'^{k}:\s*"?([^"\n]*)"?\s*$', text, re.M).group(1)
    sid = field("scenario_id")
    cid = "c" + hashlib.sha256(sid.encode()).hexdigest()[:16]
    case = {
        "id": cid, "trial": 0,
        "context": {k: field(k) for k in ("engine", "cluster_name", "namespace", "workload_type", "workload_name", "region")},
        "alert": json.load(open(os.path.join(corpus, d, "alert.json"))),
        "profile": "opensre",
        "investigate": {"api_server": f"{url}/s/{cid}", "token": cid, "context": cid, "mcp": f"{url}/s/{cid}/mcp"},
    }
    with open(os.path.join(out, f"case{i}.json"), "w") as f:
        json.dump(case, f)
EOF

check() {
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
case, answer, mode = json.load(open(sys.argv[1])), json.loads(open(sys.argv[2]).read()), sys.argv[3]
modes = {"healthy", "crashloop_backoff", "oom_killed", "image_pull_backoff", "node_not_ready", "pending_pod",
         "deployment_rollout_stuck", "evicted_pods", "dns_resolution_failure", "probe_failure",
         "resource_quota_exceeded", "unknown"}
assert answer["id"] == case["id"], f"id {answer.get('id')} != {case['id']}"
assert answer["failure_mode"] in modes, f"failure_mode {answer['failure_mode']!r}"
assert isinstance(answer.get("explanation"), str) and answer["explanation"], "no explanation"
calls = answer["trajectory"]
if mode == "first":
    assert len(calls) >= 5, f"only {len(calls)} tool calls: {calls}"
    assert all(not c["is_error"] and c["bytes"] > 0 for c in calls), f"a failed call: {calls}"
    assert answer["usage"]["tool_calls"] == len(calls)
    print(f"  {case['id']}: {answer['failure_mode']} / {answer.get('root_cause')} after {len(calls)} tool calls:",
          " ".join(c["tool"] for c in calls))
else:
    refused = [c for c in calls if c["is_error"]]
    assert refused, f"the budget did not refuse any call of the second run: {calls}"
    assert not any(c["is_error"] for c in calls[:2]), f"refused too early: {calls}"
    print(f"  {case['id']} again: {len(calls) - len(refused)} calls answered, {len(refused)} refused for the budget")
EOF
}

for i in 0 1 2; do
  python3 examples/mcp_agent.py --once "$(cat "$dir/case$i.json")" >"$dir/answer$i.json" 2>"$dir/agent$i.log" \
    || { echo "mcp-agent: the agent failed on case $i:"; cat "$dir/agent$i.log"; exit 1; } >&2
  check "$dir/case$i.json" "$dir/answer$i.json" first
done
python3 examples/mcp_agent.py --once "$(cat "$dir/case0.json")" >"$dir/again.json" 2>"$dir/again.log" \
  || { echo "mcp-agent: the agent failed on the budget run:"; cat "$dir/again.log"; exit 1; } >&2
check "$dir/case0.json" "$dir/again.json" again
grep -q "call budget" "$dir/again.log" || { echo "mcp-agent: no budget refusal reported" >&2; exit 1; }
echo "mcp-agent: 3 scenarios investigated over MCP; the budget counted their calls"
