#!/usr/bin/env python3
"""An example triagebench agent speaking the JSON Lines protocol (adapters/PROTOCOL.md).

Run it through the evaluator with:

    triagebench eval --classifier 'cmd:python3 examples/agent_example.py' --workers 2

triagebench starts a few copies of this script and keeps them running. Each reads one case per
line on stdin (a JSON object with an "id", the "trial" number, "context", "alert" and
"evidence") and writes one prediction per line on stdout, with the same "id", flushing after
each line. Answers may come back in any order; they are matched by id. Anything written to
stderr goes to the user's terminal and is never parsed. The script exits when stdin closes.

The heuristics below are deliberately simple (python stdlib only): replace `diagnose()` with
your agent. Keep the loop: one line in, one line out, never crash on a strange case.

Each answer also carries "usage" (what the call cost; every key optional): an LLM agent would
report its provider's token counts and bill. This script has no model, so it reports what it
did: one tool call per evidence source it read, the case and answer sizes as tokens (about
four bytes a token), and their cost at an illustrative price of $3 / $15 per million input /
output tokens. Replace `usage()` with the real figures.
"""

import json
import sys


def pods_of(case):
    """The pods of the alerted workload: pods whose name starts with '<workload>-'."""
    evidence = case.get("evidence", {})
    pods = evidence.get("eks_pods") or {}
    if pods.get("available") is False:
        return []
    workload = case["context"]["workload_name"]
    return [p for p in pods.get("pods", []) if p.get("name", "").startswith(workload + "-")]


def event_text(case, pod_name):
    """All warning event messages about one pod, lowercased."""
    events = case.get("evidence", {}).get("eks_events") or {}
    if events.get("available") is False:
        return ""
    return " ".join(
        e.get("message", "").lower()
        for e in events.get("warning_events", [])
        if e.get("involved_object") == "Pod/" + pod_name
    )


def pull_cause(text):
    """The image pull cause from the runtime's error text."""
    if "invalidimagename" in text or "couldn't parse image" in text:
        return "invalid_image_name", "configuration_error"
    if "429" in text or "toomanyrequests" in text:
        return "rate_limited", "dependency_failure"
    if "401" in text or "403" in text or "unauthorized" in text or "pull access denied" in text or "no basic auth" in text:
        return "registry_auth", "configuration_error"
    if "no such host" in text or "i/o timeout" in text or "connection refused" in text:
        return "registry_unreachable", "dependency_failure"
    return "image_not_found", "configuration_error"


CRASH_CODES = {
    139: ("segfault", "code_defect"),
    127: ("command_not_found", "configuration_error"),
    128: ("command_not_found", "configuration_error"),
    126: ("permission_denied", "configuration_error"),
}


def diagnose(case):
    """A prediction for one case (without the id)."""
    namespace = case["context"]["namespace"]
    for pod in pods_of(case):
        for c in pod.get("containers", []):
            state = c.get("state", {})
            reason = state.get("reason") or ""
            code = state.get("exit_code")
            where = {
                "affected_pod": f"{namespace}/{pod['name']}",
                "affected_container": c.get("name"),
            }
            if reason == "OOMKilled":
                return {
                    "failure_mode": "oom_killed",
                    "root_cause_category": "resource_exhaustion",
                    "root_cause": "container_oom",
                    "exit_code": code,
                    "confidence": 0.8,
                    "explanation": f"container {c.get('name')} of {pod['name']} terminated OOMKilled",
                    **where,
                }
            if reason in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName"):
                cause, category = pull_cause((state.get("message") or "").lower() + " " + event_text(case, pod["name"]) + " " + reason.lower())
                return {
                    "failure_mode": "image_pull_backoff",
                    "root_cause_category": category,
                    "root_cause": cause,
                    "confidence": 0.7,
                    "explanation": f"{pod['name']} waiting {reason}",
                    **where,
                }
            if reason == "CreateContainerConfigError":
                return {
                    "failure_mode": "crashloop_backoff",
                    "root_cause_category": "configuration_error",
                    "root_cause": "missing_config",
                    "confidence": 0.7,
                    "explanation": f"{pod['name']} waiting {reason}",
                    **where,
                }
            if reason == "CrashLoopBackOff" or (state.get("terminated") and code not in (None, 0)):
                cause, category = CRASH_CODES.get(code, ("app_error", "code_defect"))
                return {
                    "failure_mode": "crashloop_backoff",
                    "root_cause_category": category,
                    "root_cause": cause,
                    "exit_code": code,
                    "confidence": 0.5,
                    "explanation": f"{pod['name']} {reason or 'terminated'} exit code {code}",
                    **where,
                }
    return {
        "failure_mode": "healthy",
        "root_cause_category": "healthy",
        "root_cause": "none",
        "confidence": 0.6,
        "explanation": "no pod of the workload is failing now",
    }


PRICE_PER_INPUT_TOKEN = 3.0 / 1_000_000
PRICE_PER_OUTPUT_TOKEN = 15.0 / 1_000_000


def usage(line, case, answer):
    """The cost and effort of one answer (see the module doc)."""
    evidence = case.get("evidence", {}) if isinstance(case, dict) else {}
    read = [k for k in ("eks_pods", "eks_events") if (evidence.get(k) or {}).get("available") is not False]
    input_tokens = len(line.encode()) // 4
    output_tokens = len(json.dumps(answer).encode()) // 4
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cost_usd": round(input_tokens * PRICE_PER_INPUT_TOKEN + output_tokens * PRICE_PER_OUTPUT_TOKEN, 8),
        "tool_calls": len(read),
    }


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        case_id = None
        try:
            case = json.loads(line)
            case_id = case["id"]
            answer = diagnose(case)
        except Exception as e:  # one strange case must not take the worker down
            print(f"agent_example: {type(e).__name__}: {e}", file=sys.stderr)
            answer = {"failure_mode": "unknown", "confidence": 0.0, "explanation": f"adapter error: {e}"}
        if case_id is None:
            continue  # cannot answer a line without an id; triagebench times it out
        answer["usage"] = usage(line, case, answer)
        answer["id"] = case_id
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
