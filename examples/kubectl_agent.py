#!/usr/bin/env python3
"""An interactive triagebench agent that investigates with the real kubectl (stdlib only).

Run it with `triagebench eval --interactive --classifier 'cmd:python3 examples/kubectl_agent.py'`.
Each request line is an interactive case (adapters/PROTOCOL.md, "Interactive cases"): no
evidence, an `investigate` object with the scenario's kubeconfig and context. For each case it
runs `kubectl --kubeconfig K --context C`:

  get pods -o json, get events -o json, logs --previous for failing containers,
  get nodes -o json

and answers from simple heuristics on container states, events and log lines. Every kubectl
call is a request to the scenario's API server, recorded in trajectories.parquet.
"""

import json
import subprocess
import sys


def kubectl(inv, ns, *args):
    cmd = ["kubectl", "--kubeconfig", inv["kubeconfig"], "--context", inv["context"], "-n", ns]
    try:
        r = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout if r.returncode == 0 else None


def as_json(text):
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def answer(mode, cause, category, why, pod=None, container=None, code=None):
    out = {"failure_mode": mode, "root_cause": cause, "root_cause_category": category,
           "explanation": why, "confidence": 0.7}
    if pod:
        out["affected_pod"] = pod
    if container:
        out["affected_container"] = container
    if code is not None:
        out["exit_code"] = code
    return out


def investigate(case):
    inv = case["investigate"]
    ns = case["context"]["namespace"]
    pods = as_json(kubectl(inv, ns, "get", "pods", "-o", "json")).get("items", [])
    events = as_json(kubectl(inv, ns, "get", "events", "-o", "json")).get("items", [])
    findings = []
    for pod in pods:
        name = pod.get("metadata", {}).get("name", "")
        status = pod.get("status", {})
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in status.get("conditions", []) or [])
        if (status.get("phase") == "Running" and ready) or status.get("phase") == "Succeeded":
            continue  # running and ready (an old restart is history), or a finished job pod
        for st in status.get("containerStatuses", []) or []:
            c = st.get("name", "")
            if st.get("ready"):
                continue
            waiting = (st.get("state", {}).get("waiting") or {}).get("reason", "")
            last = st.get("lastState", {}).get("terminated") or st.get("state", {}).get("terminated") or {}
            if waiting in ("ImagePullBackOff", "ErrImagePull", "InvalidImageName"):
                findings.append(answer("image_pull_backoff", "image_not_found", "configuration_error",
                                       f"{name}/{c} is {waiting}: the image cannot be pulled", name, c))
            elif last.get("reason") == "OOMKilled":
                findings.append(answer("oom_killed", "container_oom", "resource_exhaustion",
                                       f"{name}/{c} was OOMKilled (exit code 137): memory limit exceeded",
                                       name, c, 137))
            elif waiting == "CrashLoopBackOff" or (st.get("restartCount", 0) > 0 and last):
                logs = kubectl(inv, ns, "logs", name, "-c", c, "--previous") or ""
                code = last.get("exitCode")
                lower = logs.lower()
                if "connection refused" in lower or "timeout" in lower:
                    cause, cat = "dependency_unavailable", "dependency_failure"
                elif "not found" in lower and code in (127, 128):
                    cause, cat = "command_not_found", "configuration_error"
                elif code == 139:
                    cause, cat = "segfault", "code_defect"
                else:
                    cause, cat = "app_error", "code_defect"
                tail = logs.strip().splitlines()[-1:] or [""]
                findings.append(answer("crashloop_backoff", cause, cat,
                                       f"{name}/{c} is restarting (exit code {code}): {tail[0][:200]}",
                                       name, c, code))
    kubectl(inv, ns, "get", "nodes", "-o", "json")
    if not findings:
        for ev in events:
            if ev.get("reason") in ("Failed", "BackOff") and "pull" in ev.get("message", "").lower():
                return answer("image_pull_backoff", "image_not_found", "configuration_error",
                              ev.get("message", ""))
        return answer("healthy", "none", "healthy", "every pod is running and ready")
    return findings[0]


def main():
    for line in sys.stdin:
        case = json.loads(line)
        try:
            out = investigate(case)
        except Exception as e:  # an answer for every case: the error is the explanation
            out = answer("unknown", "unknown", "unknown", f"agent error: {e}")
        out["id"] = case["id"]
        out["trial"] = case.get("trial", 0)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
