#!/usr/bin/env python3
"""A plain Python 3 + Jinja2 generator of the same corpus files as `triagebench generate`.

The benchmark peer of issue 13 (see README.md): what an engineer would write instead of the
Rust generator. For each scenario it samples a world (world.py), renders the repository's
templates with Jinja2 (scenario/*.j2 and k8s-api/*.j2), parses every rendered file back,
projects the OpenSRE-view files (eks_pods.json, ...) from the raw objects, checks the labels,
and writes the scenario directory; then hashes the corpus (SHA-256 of every file, read back
from disk), writes manifest.json, and renames the temporary sibling directory into place.

    python3 bench/peer/generate.py --count N --seed S --out DIR [--force]
"""

import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import jinja2
import yaml

import world

REPO = Path(__file__).resolve().parents[2]
SCENARIO_FILES = ("scenario.yml", "answer.yml", "alert.json")
FILES_OF = {
    "eks_pods": ("pods.json",),
    "eks_events": ("events.json",),
    "eks_deployments": ("deployments.json", "statefulsets.json", "replicasets.json"),
    "eks_node_health": ("nodes.json",),
    "eks_pod_logs": ("pod_logs.json",),
    "datadog_logs": ("datadog_logs.json",),
    "datadog_monitors": ("datadog_monitors.json",),
}
VERSION = "triagebench-python-peer 0.1.0"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- the Jinja2 environment (the filters generator/src/spec.rs registers) ----------------

COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
PRETTY = json.JSONEncoder(ensure_ascii=False, indent=2).encode


def tojson(value):
    """Plain compact JSON, no HTML escaping (serde_json::to_string)."""
    if isinstance(value, jinja2.Undefined):
        raise jinja2.UndefinedError("tojson of an undefined value")
    return COMPACT(value)


def digest(name):
    return hashlib.sha256(str(name).encode()).digest()


def uid(name):
    h = digest(name)[:16].hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def hexid(name, n):
    return digest(name).hex()[:min(n, 64)]


def num(name, digits):
    digits = max(1, min(digits, 18))
    low = 10 ** (digits - 1)
    return low + int.from_bytes(digest(name)[:8], "little") % (low * 9)


def environment(tdir):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tdir)),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, autoescape=False, auto_reload=False)
    env.filters.update(tojson=tojson, quote_json=tojson, uid=uid, hexid=hexid, num=num)
    return env


# --- the OpenSRE-view files, projected from the raw objects (scenario/src/projection.rs) --

REASON_PHRASES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                  429: "Too Many Requests", 500: "Internal Server Error",
                  503: "Service Unavailable"}
ERROR_KEYWORDS = ("error", "fail", "exception", "traceback", "pipeline_error", "critical",
                  "killed", "oomkilled", "crash", "panic", "timeout")


def pretty(value):
    return PRETTY(value) + "\n"


def py_time(ts):
    """Python's str(datetime) of an RFC 3339 instant, or "None"."""
    if not ts:
        return "None"
    frac = ts[19:-1]
    return f"{ts[:10]} {ts[11:19]}{'.' + frac[1:].ljust(6, '0') if frac else ''}+00:00"


def loader_str(s):
    return s if isinstance(s, str) and s.strip() else "None"


def api_exception_text(status):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}}
    for k in ("status", "message", "reason"):
        if status.get(k):
            body[k] = status[k]
    details = {k: v for k, v in (status.get("details") or {}).items() if v}
    if "details" in status:
        body["details"] = details
    if "code" in status:
        body["code"] = status["code"]
    code = status.get("code", 0)
    return (f"({code})\nReason: {REASON_PHRASES.get(code, '')}\n"
            f"HTTP response body: {COMPACT(body)}\n")


def eks_unavailable(error, lists, namespace=None, cluster=None, pod_name=None):
    out = {"source": "eks", "available": False}
    if namespace is not None:
        out["namespace"] = namespace
    if cluster is not None:
        out["cluster_name"] = cluster
    if pod_name is not None:
        out["pod_name"] = pod_name
    out["error"] = error
    out.update(lists)
    return pretty(out)


def container_state(cs):
    st = cs["state"]
    if "running" in st:
        return {"running": True, "started_at": py_time(st["running"].get("startedAt"))}
    if "waiting" in st:
        w = st["waiting"]
        return {"waiting": True, "reason": w.get("reason"), "message": w.get("message")}
    if "terminated" in st:
        t = st["terminated"]
        return {"terminated": True, "exit_code": t["exitCode"], "reason": t.get("reason"),
                "message": t.get("message")}
    return {}


def project_pods(raw, cluster, ns):
    if "items" not in raw:
        return eks_unavailable(api_exception_text(raw), {"pods": []}, namespace=ns)
    pods = []
    for p in raw["items"]:
        if p["metadata"].get("namespace") != ns:
            continue
        status = p["status"]
        pods.append({
            "name": loader_str(p["metadata"].get("name")),
            "namespace": loader_str(p["metadata"].get("namespace")),
            "phase": loader_str(status.get("phase")),
            "node_name": loader_str(p["spec"].get("nodeName")),
            "containers": [{"name": cs["name"], "ready": cs["ready"],
                            "restart_count": cs["restartCount"], "state": container_state(cs)}
                           for cs in status.get("containerStatuses", [])],
            "conditions": [{"type": c["type"], "status": c["status"], "reason": c.get("reason"),
                            "message": c.get("message")} for c in status.get("conditions", [])],
            "start_time": py_time(status.get("startTime")),
        })
    return pretty({
        "source": "eks", "available": True, "cluster_name": cluster, "namespace": ns,
        "total_pods": len(pods), "pods": pods,
        "failing_pods": [p for p in pods if p["phase"] not in ("Running", "Succeeded")],
        "high_restart_pods": [p for p in pods
                              if any(c["restart_count"] > 3 for c in p["containers"])],
        "error": None,
    })


def project_events(raw, cluster, ns):
    if "items" not in raw:
        return eks_unavailable(api_exception_text(raw), {"warning_events": []}, namespace=ns)
    events = []
    for e in raw["items"]:
        if e["metadata"].get("namespace") != ns or e.get("type") != "Warning":
            continue
        o = e["involvedObject"]
        count = e.get("count") or (e.get("series") or {}).get("count") or 1
        events.append({
            "namespace": loader_str(e["metadata"].get("namespace")),
            "reason": loader_str(e.get("reason")), "message": loader_str(e.get("message")),
            "type": loader_str(e.get("type")), "count": count,
            "involved_object": f"{o.get('kind') or 'None'}/{o.get('name') or 'None'}",
            "first_time": py_time(e.get("firstTimestamp")),
            "last_time": py_time(e.get("lastTimestamp")),
        })
    return pretty({"source": "eks", "available": True, "cluster_name": cluster, "namespace": ns,
                   "warning_events": events, "total_warning_count": len(events), "error": None})


def project_deployments(raw, cluster, ns):
    if "items" not in raw:
        return eks_unavailable(api_exception_text(raw), {"deployments": []}, namespace=ns)
    deployments = []
    for d in raw["items"]:
        if d["metadata"].get("namespace") != ns:
            continue
        st = d["status"]
        desired, ready = d["spec"].get("replicas", 0), st.get("readyReplicas", 0)
        unavailable = st.get("unavailableReplicas", 0)
        deployments.append({
            "name": loader_str(d["metadata"].get("name")),
            "namespace": loader_str(d["metadata"].get("namespace")),
            "desired": desired, "ready": ready, "available": st.get("availableReplicas", 0),
            "unavailable": unavailable, "degraded": unavailable > 0 or ready < desired,
        })
    return pretty({"source": "eks", "available": True, "cluster_name": cluster, "namespace": ns,
                   "total_deployments": len(deployments), "deployments": deployments,
                   "degraded_deployments": [d for d in deployments if d["degraded"]],
                   "error": None})


def project_nodes(raw, cluster):
    if "items" not in raw:
        return eks_unavailable(api_exception_text(raw), {"nodes": []}, cluster=cluster)
    nodes = []
    for n in raw["items"]:
        st = n["status"]
        cond = {c["type"]: c["status"] for c in st.get("conditions", [])}
        ip = next((a["address"] for a in reversed(st.get("addresses", []))
                   if a["type"] == "InternalIP"), None)
        ready = cond.get("Ready")
        nodes.append({
            "name": loader_str(n["metadata"].get("name")), "internal_ip": ip,
            "ready": ready if ready in ("True", "False", "Unknown") else "Unknown",
            "memory_pressure": cond.get("MemoryPressure"),
            "disk_pressure": cond.get("DiskPressure"), "pid_pressure": cond.get("PIDPressure"),
            "capacity_cpu": st.get("capacity", {}).get("cpu"),
            "capacity_memory": st.get("capacity", {}).get("memory"),
            "allocatable_cpu": st.get("allocatable", {}).get("cpu"),
            "allocatable_memory": st.get("allocatable", {}).get("memory"),
            "instance_type": n["metadata"].get("labels", {}).get("node.kubernetes.io/instance-type"),
        })
    return pretty({"source": "eks", "available": True, "cluster_name": cluster, "nodes": nodes,
                   "total_nodes": len(nodes),
                   "not_ready_count": sum(1 for n in nodes if n["ready"] != "True"),
                   "error": None})


def project_pod_logs(raw, cluster, ns, pod_name, cont):
    entry = next((e for e in raw["logs"] if e["namespace"] == ns and e["pod"] == pod_name
                  and e["container"] == cont and not e["previous"]), None)
    if entry is None:
        raise ValueError(f"no log entry for {ns}/{pod_name}/{cont}")
    if "status" in entry:
        return eks_unavailable(api_exception_text(entry["status"]),
                               {"namespace": ns, "logs": ""}, pod_name=pod_name)
    lines = entry["text"].splitlines(keepends=True)
    return pretty({"source": "eks", "available": True, "cluster_name": cluster, "namespace": ns,
                   "pod_name": pod_name, "logs": "".join(lines[-100:]), "error": None})


def datadog_error_text(raw):
    e = raw["datadog_error"]
    if e.get("transport_error"):
        return e["transport_error"]
    body = COMPACT(e.get("body"))
    return f"HTTP {e.get('http_status', 0)}: {body[:200]}"


def project_datadog_logs(raw, query):
    if "datadog_error" in raw:
        return pretty({"source": "datadog_logs", "available": False,
                       "error": datadog_error_text(raw), "logs": []})
    logs = []
    for d in raw["data"][:50]:
        a = d["attributes"]
        entry = {"timestamp": a.get("timestamp", ""), "message": a.get("message", ""),
                 "status": a.get("status", ""), "service": a.get("service", ""),
                 "host": a.get("host", ""), "tags": a.get("tags", [])}
        entry.update(a.get("attributes") or {})
        for key in ("timestamp", "message"):
            if not (isinstance(entry[key], str) and entry[key].strip()):
                entry[key] = loader_str(a.get(key))
        if not isinstance(entry["tags"], list):
            entry["tags"] = a.get("tags", [])
        logs.append(entry)
    errors = [l for l in logs if any(k in str(l["message"]).lower() for k in ERROR_KEYWORDS)]
    return pretty({"source": "datadog_logs", "available": True, "logs": logs,
                   "error_logs": errors[:30], "total": len(logs), "query": query})


def project_datadog_monitors(raw):
    if isinstance(raw, dict) and "datadog_error" in raw:
        return pretty({"source": "datadog_monitors", "available": False,
                       "error": datadog_error_text(raw), "monitors": []})
    monitors = [{"id": m["id"], "name": loader_str(m.get("name")), "type": loader_str(m["type"]),
                 "query": loader_str(m["query"]), "message": m.get("message") or "",
                 "overall_state": loader_str(m.get("overall_state")), "tags": m.get("tags") or []}
                for m in raw[:50]]
    return pretty({"source": "datadog_monitors", "available": True, "monitors": monitors,
                   "total": len(monitors), "query_filter": None})


def project(raw, w):
    """The OpenSRE-view files of the raw objects, in evidence order."""
    cluster, ns = w["cluster"], w["namespace"]
    out = []
    if "pods.json" in raw:
        out.append(("eks_pods.json", project_pods(raw["pods.json"], cluster, ns)))
    if "events.json" in raw:
        out.append(("eks_events.json", project_events(raw["events.json"], cluster, ns)))
    if "deployments.json" in raw:
        out.append(("eks_deployments.json",
                    project_deployments(raw["deployments.json"], cluster, ns)))
    if "nodes.json" in raw:
        out.append(("eks_node_health.json", project_nodes(raw["nodes.json"], cluster)))
    if "pod_logs.json" in raw:
        out.append(("eks_pod_logs.json",
                    project_pod_logs(raw["pod_logs.json"], cluster, ns, w["pod_logs"]["pod"],
                                     w["pod_logs"]["container"])))
    if "datadog_logs.json" in raw:
        out.append(("datadog_logs.json",
                    project_datadog_logs(raw["datadog_logs.json"], f"kube_namespace:{ns}")))
    if "datadog_monitors.json" in raw:
        out.append(("datadog_monitors.json",
                    project_datadog_monitors(raw["datadog_monitors.json"])))
    return out


# --- rendering and checks ----------------------------------------------------------------

class RenderError(Exception):
    pass


def render_world(env, w):
    """Every file of a world: the scenario files, the projected views and the raw objects."""
    listed = [k for k in world.EVIDENCE_KINDS if w["sources"][k]["listed"]]

    def render(name, source):
        try:
            text = env.get_template(name).render(w, available=listed, source=source)
        except jinja2.TemplateError as e:
            raise RenderError(f"scenario {w['id']}: {name}: {e}") from e
        return text if text.endswith("\n") else text + "\n"

    scenario_files = [(f, render(f"scenario/{f}.j2", None)) for f in SCENARIO_FILES]
    raw_files = []
    for kind in listed:
        for f in FILES_OF[kind]:
            if f == "statefulsets.json" and not w["statefulsets"]:
                continue
            raw_files.append((f, render(f"k8s-api/{f}.j2", w["sources"][kind])))
    raw = {}
    for f, text in raw_files:  # read the raw objects back
        try:
            raw[f] = json.loads(text)
        except ValueError as e:
            raise RenderError(f"scenario {w['id']}: k8s-api/{f}: malformed JSON: {e}") from e
    check_raw(w, raw)
    opensre = project(raw, w)
    check(w, scenario_files, opensre)
    return (scenario_files + opensre
            + [(f"k8s-api/{f}", text) for f, text in raw_files])


def check_raw(w, raw):
    """The list objects have their kind, items and metadata (or are an error capture)."""
    kinds = {"pods.json": "PodList", "events.json": "EventList",
             "deployments.json": "DeploymentList", "statefulsets.json": "StatefulSetList",
             "replicasets.json": "ReplicaSetList", "nodes.json": "NodeList"}
    for f, kind in kinds.items():
        v = raw.get(f)
        if v is None or v.get("kind") == "Status":
            continue
        if v.get("kind") != kind or not isinstance(v.get("items"), list) or any(
                "metadata" not in item or "name" not in item["metadata"] for item in v["items"]):
            raise RenderError(f"scenario {w['id']}: k8s-api/{f}: not a {kind}")


def check(w, scenario_files, opensre):
    """Parses the scenario files and the projected views back and checks the labels."""
    files = dict(scenario_files + opensre)
    try:
        scen = yaml.load(files["scenario.yml"], Loader=YAML_LOADER)
        answer = yaml.load(files["answer.yml"], Loader=YAML_LOADER)
        alert = json.loads(files["alert.json"])
        views = {f: json.loads(text) for f, text in opensre}
    except (yaml.YAMLError, ValueError) as e:
        raise RenderError(f"scenario {w['id']}: malformed file: {e}") from e
    if scen["failure_mode"] != w["labels"]["mode"] or answer["root_cause"] != w["labels"]["cause"]:
        raise RenderError(f"scenario {w['id']}: rendered labels disagree with the world")
    if scen["scenario_id"] != w["id"] or not alert.get("title") or not answer.get("model_response"):
        raise RenderError(f"scenario {w['id']}: scenario.yml, answer.yml or alert.json incomplete")
    for f, v in views.items():
        if not isinstance(v.get("available"), bool):
            raise RenderError(f"scenario {w['id']}: {f}: no `available`")


# --- the corpus --------------------------------------------------------------------------

def scenario_id(index, count):
    return f"{index:0{max(5, len(str(max(count - 1, 1))))}d}"


def content_hash(root):
    """SHA-256 over (path, length, SHA-256) of every file but manifest.json, sorted by path:
    the definition of scenario::manifest::content_hash."""
    files = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if rel != "manifest.json":
                files.append((rel, path))
    files.sort()
    h, total = hashlib.sha256(), 0
    for rel, path in files:
        with open(path, "rb") as f:
            data = f.read()
        total += len(data)
        h.update(rel.encode())
        h.update(b"\0")
        h.update(struct.pack("<Q", len(data)))
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest(), len(files), total


def templates_hash(tdir):
    h = hashlib.sha256()
    for path in sorted(p for p in Path(tdir).rglob("*") if p.is_file()):
        h.update(path.relative_to(tdir).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def check_out(out, force):
    if out.exists() and not out.is_dir():
        sys.exit(f"--out: {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            sys.exit(f"{out}: refusing to overwrite a non-empty directory (use --force)")
        if out.is_symlink() or not (out / "manifest.json").is_file():
            sys.exit(f"{out}: refusing to replace it: it is not a corpus (no manifest.json)")


def generate(args):
    out = Path(args.out)
    tdir = Path(args.templates)
    check_out(out, args.force)
    started = time.perf_counter()
    env = environment(tdir)
    spec = world.Spec(tdir, env)
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{os.getpid()}-", dir=parent))
    os.chmod(tmp, 0o777 & ~current_umask())
    try:
        counts = {k: Counter() for k in ("adversarial_signal", "difficulty", "failure_mode",
                                         "root_cause", "root_cause_category")}
        for i in range(args.count):
            sid = scenario_id(i, args.count)
            w = world.sample_world(spec, args.seed, i, sid)
            files = render_world(env, w)
            sdir = tmp / sid
            sdir.mkdir()
            (sdir / "k8s-api").mkdir()
            for name, text in files:
                with open(sdir / name, "w", encoding="utf-8") as f:
                    f.write(text)
            labels = w["labels"]
            counts["failure_mode"][labels["mode"]] += 1
            counts["root_cause"][labels["cause"]] += 1
            counts["root_cause_category"][labels["category"]] += 1
            counts["difficulty"][str(labels["difficulty"])] += 1
            counts["adversarial_signal"].update(labels["signals"])
        digest_hex, n_files, n_bytes = content_hash(tmp)
        t_hash = templates_hash(tdir)
        corpus_id = hashlib.sha256(struct.pack("<QQ", args.seed, args.count) + t_hash.encode()
                                   + b"both").hexdigest()[:12]
        manifest = {
            "schema_version": "1.0", "corpus_id": corpus_id, "seed": args.seed,
            "count": args.count, "generator_version": VERSION, "profile": "both",
            "templates_hash": t_hash,
            "counts": {k: dict(sorted(v.items())) for k, v in sorted(counts.items())},
            "files": n_files, "bytes": n_bytes, "content_hash": digest_hex,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        seconds = time.perf_counter() - started
        if out.exists():
            if any(out.iterdir()):
                old = parent / f".{out.name}.old-{os.getpid()}"
                out.rename(old)
                tmp.rename(out)
                shutil.rmtree(old)
            else:
                out.rmdir()
                tmp.rename(out)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest, seconds


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--templates", default=str(REPO / "templates"))
    args = ap.parse_args()
    if args.count < 1:
        ap.error("--count must be at least 1")
    manifest, seconds = generate(args)
    print(f"generated {manifest['count']} scenarios into {args.out} (seed {args.seed})")
    print(f"  {manifest['files']} files, {manifest['bytes'] / 2**20:.1f} MiB, {seconds:.2f} s, "
          f"{manifest['count'] / seconds:.0f} scenarios/s")
    print(f"  content hash {manifest['content_hash']}")


if __name__ == "__main__":
    main()
