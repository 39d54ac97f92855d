#!/usr/bin/env python3
"""A triagebench agent that investigates over MCP (the official MCP Python SDK, `mcp` on PyPI).

It speaks triagebench's JSON Lines protocol (adapters/PROTOCOL.md): one case per line on stdin,
one prediction per line on stdout. An interactive case carries no evidence; it says where to
investigate instead:

    {"id": ..., "trial": 0, "context": {...}, "alert": {...}, "profile": "opensre",
     "investigate": {"api_server": "http://127.0.0.1:P/s/<id>", "token": "<id>",
                     "kubeconfig": "...", "context": "<id>",
                     "mcp": "http://127.0.0.1:P/s/<id>/mcp"}}

The agent opens an MCP session on `investigate.mcp` (streamable HTTP) and calls OpenSRE's tools
in a simple SOP order: list_eks_pods, get_eks_events, then the logs of the workload's failing
pod (get_eks_pod_logs), get_eks_node_health, query_datadog_logs and query_datadog_monitors. It
then diagnoses with the same simple heuristics as examples/agent_example.py (on the evidence it
gathered) and answers a prediction with the id, the labels, an explanation naming the tools it
called, and `usage.tool_calls`. A case without `investigate` is diagnosed from its `evidence`.

    python3 examples/mcp_agent.py                  # JSON Lines on stdin/stdout
    python3 examples/mcp_agent.py --once CASE_JSON # one case; the prediction on stdout, plus a
                                                   # "trajectory" key listing every call made

Requires: `python3 -m pip install -r .ci/requirements.txt` (pins `mcp`). Exit codes: 0 done,
2 bad command line or case JSON, 3 --once could not reach the MCP endpoint.
"""

import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from agent_example import diagnose  # noqa: E402  (the same heuristics, over gathered evidence)

from mcp import ClientSession  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402


async def call(session, trajectory, name, arguments):
    """Calls one tool; returns its JSON answer, or None when the tool answered an error."""
    result = await session.call_tool(name, arguments)
    text = "".join(getattr(c, "text", "") for c in result.content)
    trajectory.append({"tool": name, "is_error": bool(result.is_error), "bytes": len(text.encode())})
    if result.is_error:
        print(f"mcp_agent: {name}: {text}", file=sys.stderr)
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def failing_pod(case, pods):
    """The workload's pod to read logs of: a failing or restarting one, else the first."""
    workload = case["context"]["workload_name"]
    mine = [p for p in (pods or {}).get("pods", []) if p.get("name", "").startswith(workload + "-")]
    for p in mine:
        if p.get("phase") not in ("Running", "Succeeded") or any(
            not c.get("ready") or c.get("restart_count", 0) > 0 for c in p.get("containers", [])
        ):
            return p
    return mine[0] if mine else None


async def investigate(case, trajectory):
    """Gathers the evidence of one case over MCP, in the SOP's order."""
    ctx = case["context"]
    url = case["investigate"]["mcp"]
    eks = {"cluster_name": ctx["cluster_name"], "namespace": ctx["namespace"], "role_arn": ""}
    evidence = {}
    async with streamable_http_client(url) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            evidence["eks_pods"] = await call(session, trajectory, "list_eks_pods", eks)
            evidence["eks_events"] = await call(session, trajectory, "get_eks_events", eks)
            pod = failing_pod(case, evidence["eks_pods"])
            if pod is not None:
                evidence["eks_pod_logs"] = await call(
                    session, trajectory, "get_eks_pod_logs", {**eks, "pod_name": pod["name"]}
                )
            evidence["eks_node_health"] = await call(
                session,
                trajectory,
                "get_eks_node_health",
                {"cluster_name": ctx["cluster_name"], "role_arn": ""},
            )
            evidence["datadog_logs"] = await call(
                session, trajectory, "query_datadog_logs", {"query": f"kube_namespace:{ctx['namespace']}"}
            )
            evidence["datadog_monitors"] = await call(session, trajectory, "query_datadog_monitors", {})
    return {k: v for k, v in evidence.items() if v is not None}


def answer(case, with_trajectory=False):
    """The prediction line for one case."""
    trajectory = []
    if "investigate" in case:
        evidence = asyncio.run(investigate(case, trajectory))
    else:
        evidence = case.get("evidence", {})
    prediction = diagnose({**case, "evidence": evidence})
    tools = ", ".join(t["tool"] for t in trajectory) or "none (evidence given)"
    prediction["explanation"] = f"{prediction.get('explanation', '')} [tools: {tools}]"
    prediction["usage"] = {"tool_calls": len(trajectory)}
    prediction["id"] = case["id"]
    if with_trajectory:
        prediction["trajectory"] = trajectory
    return prediction


def main():
    args = sys.argv[1:]
    if args[:1] == ["--once"]:
        if len(args) != 2:
            print("usage: mcp_agent.py [--once CASE_JSON]", file=sys.stderr)
            return 2
        try:
            case = json.loads(args[1])
        except ValueError as e:
            print(f"mcp_agent: --once: not JSON: {e}", file=sys.stderr)
            return 2
        try:
            prediction = answer(case, with_trajectory=True)
        except Exception as e:  # noqa: BLE001  (report any transport failure as one line)
            print(f"mcp_agent: cannot investigate {case.get('id')}: {e!r}", file=sys.stderr)
            return 3
        print(json.dumps(prediction), flush=True)
        return 0
    if args:
        print("usage: mcp_agent.py [--once CASE_JSON]", file=sys.stderr)
        return 2
    for line in sys.stdin:
        if not line.strip():
            continue
        case = {}
        try:
            case = json.loads(line)
            prediction = answer(case)
        except Exception as e:  # noqa: BLE001  (never crash on one strange case)
            prediction = {"id": case.get("id", ""), "failure_mode": "unknown", "confidence": 0.0,
                          "explanation": f"agent error: {e!r}"}
        print(json.dumps(prediction), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
