"""The world of one scenario for the Python benchmark peer (see README.md).

A simplified, idiomatic Python take on what `generator/src/world/` samples: a small EKS
cluster (nodes, the alerted workload and 2-4 other workloads of the namespace, pods with full
container status, kubelet and scheduler events, container logs, Datadog log records and
monitors), the alert that fired and the reference answer. Choices are drawn from the
repository's `templates/*.yml` with one `random.Random(seed + index)` per scenario. Every
string of the YAML files is a template and is rendered with Jinja2 against the scenario's
variables, as the Rust generator renders them with minijinja.

The result is a dict with the keys the `templates/**/*.j2` files read.
"""

import json
import random
import time
from pathlib import Path

import yaml

BASE_EPOCH = 1_772_409_600  # 2026-03-02T00:00:00Z, the earliest snapshot date

# Root cause -> (failure mode, category): scenario/src/taxonomy.rs.
TAXONOMY = {
    "none": ("healthy", "healthy"),
    "container_oom": ("oom_killed", "resource_exhaustion"),
    "node_oom": ("oom_killed", "resource_exhaustion"),
    "app_error": ("crashloop_backoff", "code_defect"),
    "segfault": ("crashloop_backoff", "code_defect"),
    "command_not_found": ("crashloop_backoff", "configuration_error"),
    "permission_denied": ("crashloop_backoff", "configuration_error"),
    "missing_config": ("crashloop_backoff", "configuration_error"),
    "dependency_unavailable": ("crashloop_backoff", "dependency_failure"),
    "image_not_found": ("image_pull_backoff", "configuration_error"),
    "registry_auth": ("image_pull_backoff", "configuration_error"),
    "registry_unreachable": ("image_pull_backoff", "dependency_failure"),
    "rate_limited": ("image_pull_backoff", "dependency_failure"),
    "invalid_image_name": ("image_pull_backoff", "configuration_error"),
}

EVIDENCE_KINDS = (
    "eks_pods", "eks_events", "eks_deployments", "eks_node_health",
    "eks_pod_logs", "datadog_logs", "datadog_monitors",
)

K8S_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
EVENT_TTL_SECONDS = 3600
DATADOG_PAGE = 40
POD_LEVEL_REASONS = {"Scheduled", "FailedScheduling", "FailedMount", "FailedCreatePodSandBox",
                     "NetworkNotReady"}
RESERVED_ATTRIBUTES = {"status", "message", "service", "host", "timestamp", "tags", "source"}
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}

# Filler vocabulary (the Rust side draws these with the `fake` crate).
WORDS = ["alpha", "amber", "atlas", "beacon", "cedar", "delta", "ember", "fable", "garnet",
         "harbor", "indigo", "jasper", "kernel", "lumen", "maple", "nectar", "onyx", "pebble",
         "quill", "river", "sierra", "tango", "umber", "velvet", "willow", "yonder", "zephyr"]
FIRST_NAMES = ["alex", "sam", "jordan", "casey", "riley", "morgan", "taylor", "quinn", "avery",
               "jamie", "drew", "rowan", "emery", "hayden", "parker"]
LAST_NAMES = ["smith", "garcia", "chen", "novak", "okafor", "larsen", "rossi", "kowalski",
              "tanaka", "dubois", "silva", "murphy", "ivanova", "haddad"]
DOMAIN_SUFFIXES = ["com", "net", "org", "io", "info", "biz"]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "curl/8.5.0",
    "okhttp/4.12.0",
]


# --- time formats ------------------------------------------------------------------------

def rfc3339(secs):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(secs))


def rfc3339_millis(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def spaced_millis(ms):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}"


def rfc3339_micros(us):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(us // 1_000_000)) + f".{us % 1_000_000:06d}Z"


def go_duration(secs):
    if secs < 60:
        return f"{secs}s"
    if secs < 3600:
        return f"{secs // 60}m{secs % 60}s"
    return f"{secs // 3600}h{(secs % 3600) // 60}m{secs % 60}s"


# --- random helpers ----------------------------------------------------------------------

def hexs(rng, n):
    return f"{rng.getrandbits(4 * n):0{n}x}"


def k8s_suffix(rng, n):
    return "".join(rng.choices(K8S_ALPHABET, k=n))


def uuid4(rng):
    return f"{hexs(rng, 8)}-{hexs(rng, 4)}-4{hexs(rng, 3)}-{rng.choice('89ab')}{hexs(rng, 3)}-{hexs(rng, 12)}"


def neutral_hex(rng, n):
    while True:
        h = hexs(rng, n)
        if "bad" not in h and "dead" not in h:
            return h


def is_weighted(item):
    return isinstance(item, dict) and "value" in item


def pick_w(rng, items):
    """A weighted list of families.yml: plain values (weight 1) or {value, weight}."""
    weights = [item.get("weight", 1) if is_weighted(item) else 1 for item in items]
    item = rng.choices(items, weights)[0]
    return item["value"] if is_weighted(item) else item


def container_id(rng, runtime):
    return f"{'docker' if runtime == 'docker' else 'containerd'}://{hexs(rng, 64)}"


def pod_ip(rng, node_ip):
    a, b = node_ip.split(".")[:2]
    return f"{a}.{b}.{rng.randrange(96)}.{rng.randrange(2, 254)}"


def recent_ms(rng, snapshot, lo, hi):
    return (snapshot - rng.randrange(lo, hi)) * 1000 + rng.randrange(999)


# --- the spec ----------------------------------------------------------------------------

class Spec:
    """templates/*.yml, loaded once, with a cache of compiled spec strings."""

    def __init__(self, tdir, env):
        tdir = Path(tdir)

        def load(name):
            with open(tdir / name, encoding="utf-8") as f:
                return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

        self.families = load("families.yml")
        self.vocab = load("vocabulary.yml")
        self.text = load("world.yml")
        self.alerts = load("alerts.yml")
        self.env = env
        self._compiled = {}
        self.causes = self.families["causes"]
        self.signals = self.families["signals"]
        self.backoff = self.families["backoff"]
        # Default mix: balanced over the modes, then over each mode's causes.
        modes = self.families["modes"]
        total = sum(modes.values())
        self.mix_causes, self.mix_weights = [], []
        for cause in sorted(self.causes):
            mode = TAXONOMY[cause][0]
            in_mode = sum(1 for c in self.causes if TAXONOMY[c][0] == mode)
            self.mix_causes.append(cause)
            self.mix_weights.append(modes[mode] / total / in_mode)
        self.twin_partner = {}
        for pair in self.families.get("twins", {}).values():
            self.twin_partner[pair[0]], self.twin_partner[pair[1]] = pair[1], pair[0]

    def expand(self, source, ctx):
        if "{" not in source:
            return source
        tpl = self._compiled.get(source)
        if tpl is None:
            tpl = self._compiled[source] = self.env.from_string(source)
        return tpl.render(ctx)

    def holds(self, source, ctx):
        s = self.expand(source, ctx).strip().lower()
        if s not in ("true", "false"):
            raise ValueError(f"condition {source!r} rendered {s!r}, not true/false")
        return s == "true"

    def backoff_delay(self, n):
        return min(self.backoff["initial_seconds"] * 2 ** min(n, 30), self.backoff["max_seconds"])


# --- world objects -----------------------------------------------------------------------

def log_line(ms, level, text):
    return {"ms": ms, "iso": rfc3339_millis(ms), "spaced": spaced_millis(ms), "level": level,
            "text": text, "raw": level == "raw"}


def state(kind, reason=None, message=None, exit_code=None, started_at=None, finished_at=None):
    return {"kind": kind, "reason": reason, "message": message, "exit_code": exit_code,
            "started_at": started_at, "finished_at": finished_at}


def terminated_state(term):
    return state("terminated", term["reason"], term["message"], term["exit_code"],
                 term["started_at"], term["finished_at"])


def termination(exit_code, reason, started_at, finished_at, message=None):
    return {"exit_code": exit_code, "reason": reason, "message": message,
            "started_at": started_at, "finished_at": finished_at}


def container(name, image, st, memory_limit, image_id="", cid="", ready=False, started=False):
    return {"name": name, "image": image, "image_id": image_id, "container_id": cid,
            "ready": ready, "started": started, "restart_count": 0, "state": st,
            "last_state": None, "memory_limit": memory_limit, "log": [], "previous_log": [],
            "log_error": None, "previous_error": None}


def pod(name, namespace, uid, workload, node, phase, ip, start, c, conditions):
    return {"name": name, "namespace": namespace, "uid": uid, "workload": workload,
            "phase": phase, "node": node, "ip": ip, "start_time": start, "containers": [c],
            "conditions": conditions, "owner_kind": "", "owner_name": "", "hash": "",
            "restart_policy": "Always", "pull_secret": None, "config_refs": None}


def pod_conditions(start, unready=None, last_change=None):
    status = "True" if unready is None else "False"
    reason = None if unready is None else "ContainersNotReady"
    changed = start + 2 if last_change is None else last_change

    def cond(kind, st, r, m, at):
        return {"kind": kind, "status": st, "reason": r, "message": m, "last_transition": at}

    return [cond("PodReadyToStartContainers", "True", None, None, start + 1),
            cond("Initialized", "True", None, None, start),
            cond("Ready", status, reason, unready, changed),
            cond("ContainersReady", status, reason, unready, changed),
            cond("PodScheduled", "True", None, None, start)]


def event(ns, kind, name, host, reason, message, ty, count, first, last, component="kubelet"):
    return {"namespace": ns, "object_kind": kind, "object_name": name, "reason": reason,
            "message": message, "kind": ty, "count": max(count, 1), "first": min(first, last),
            "last": max(first, last), "event_time": None, "series_count": None,
            "source_component": component, "source_host": host, "reporting_component": "",
            "action": "", "object_uid": "", "field_path": None}


def scheduler_event(rng, ns, name, reason, message, ty, at, action):
    return {"namespace": ns, "object_kind": "Pod", "object_name": name, "reason": reason,
            "message": message, "kind": ty, "count": None, "first": None, "last": None,
            "event_time": at * 1_000_000 + rng.randrange(1_000_000), "series_count": None,
            "source_component": "", "source_host": "", "reporting_component": "default-scheduler",
            "action": action, "object_uid": "", "field_path": None}


def last_seen(e):
    if e["last"] is not None:
        return e["last"]
    if e["first"] is not None:
        return e["first"]
    return e["event_time"] // 1_000_000 if e["event_time"] is not None else 0


def dd_status(level):
    return {"error": "error", "fatal": "error", "warn": "warn", "debug": "debug"}.get(level, "info")


def push_dd(out, line, service, host, tags):
    """A container line into the Datadog stream; a raw line (stack trace) folds into the record
    of the line before it, as Datadog's multi-line aggregation does."""
    if line["raw"]:
        for prev in reversed(out):
            if (prev["service"] == service and prev["host"] == host
                    and line["ms"] - prev["ms"] < 2000 and prev["source"] != "kernel"):
                prev["message"] += "\n" + line["text"]
                prev["status"] = "error"
                return
        if not line["text"]:
            return
    pod_name = next((t[9:] for t in tags if t.startswith("pod_name:")), None)
    out.append({"ms": line["ms"], "timestamp": line["ms"], "message": line["text"],
                "status": "error" if line["raw"] else dd_status(line["level"]),
                "service": service, "host": host, "source": "container", "tags": list(tags),
                "pod": pod_name, "attributes": None})


def pipeline_attributes(message):
    """What Datadog's standard pipelines parse out of a message: a JSON line, an access line, or
    key=value pairs."""
    first = message.split("\n", 1)[0]
    if first.startswith("{"):
        try:
            v = json.loads(first)
        except ValueError:
            v = None
        if isinstance(v, dict):
            return v
    words = first.split()
    if (len(words) >= 4 and words[0] in HTTP_METHODS and words[1].startswith("/")
            and words[2].isdigit() and words[3].endswith("ms") and words[3][:-2].isdigit()):
        code = int(words[2])
        return {"http": {"method": words[0], "url": words[1], "url_details": {"path": words[1]},
                         "status_code": code, "status_category": "OK" if code < 400 else "error"},
                "duration": int(words[3][:-2]) * 1_000_000}
    pairs = {}
    for w in words:
        k, sep, v = w.partition("=")
        if sep and k and v and k not in RESERVED_ATTRIBUTES and all(
                c.isascii() and (c.isalnum() or c == "_") for c in k):
            v = v.strip('"')
            try:
                pairs[k] = int(v)
            except ValueError:
                pairs[k] = v
    return pairs if len(pairs) >= 2 else None


# --- stages ------------------------------------------------------------------------------

class Plan:
    def __init__(self, spec, cause, tier, presentation, signals):
        self.cause, self.tier, self.presentation, self.signals = cause, tier, presentation, signals
        self.spec = spec.causes[cause]
        self.mode = TAXONOMY[cause][0]
        self.pattern = presentation["pattern"]

    def has(self, signal):
        return signal in self.signals


def applies(rule, cause):
    return ("*" in rule.get("applies", []) or cause in rule.get("applies", [])) \
        and cause not in rule.get("except", [])


def draw_plan(spec, rng):
    cause = rng.choices(spec.mix_causes, spec.mix_weights)[0]
    cs = spec.causes[cause]
    tier = rng.choices(range(4), spec.families["difficulty_weights"])[0]
    pres = rng.choices(cs["presentations"], [p.get("weight", 1) for p in cs["presentations"]])[0]
    eligible = [(n, r["weight"]) for n, r in spec.signals.items()
                if r["min_tier"] <= tier and r["weight"] > 0 and applies(r, cause)]
    signals = []
    for _ in range(spec.families["signals_per_tier"][tier]):
        if not eligible:
            break
        i = rng.choices(range(len(eligible)), [w for _, w in eligible])[0]
        signals.append(eligible.pop(i)[0])
    if pres.get("signal"):
        signals.append(pres["signal"])
    return Plan(spec, cause, tier, pres, signals)


class Identity:
    """The names of one scenario and the variables spec strings are rendered with."""

    def dd_tags(self, pod_name, service, cont, tag):
        return [f"kube_namespace:{self.namespace}", f"kube_deployment:{service}",
                f"pod_name:{pod_name}", f"kube_container_name:{cont}", f"image_tag:{tag}",
                f"kube_cluster_name:{self.cluster}", "env:prod"]

    def pod_name(self, rng, service, i, h):
        if self.workload_kind == "statefulset" and service == self.service:
            return f"{service}-{i}"
        return f"{service}-{h}-{k8s_suffix(rng, 5)}"

    def expand_as(self, spec, source, service):
        return spec.expand(source, {**self.vars, "service": service})

    def note_also(self, also):
        for a in also or ():
            if a not in self.also:
                self.also.append(a)


def make_tag(spec, rng):
    style = rng.choice(spec.vocab["tag_styles"])
    return spec.expand(style, {"major": rng.randrange(4), "minor": rng.randrange(40),
                               "patch": rng.randrange(20), "sha7": neutral_hex(rng, 7),
                               "build": rng.randrange(100, 9000), "year": 2026,
                               "month": f"{rng.randrange(1, 4):02d}"})


def draw_identity(spec, plan, rng):
    v = spec.vocab
    i = Identity()
    i.region = rng.choice(v["regions"])
    short = (i.region["name"].replace("-", "").replace("east", "e").replace("west", "w")
             .replace("central", "c").replace("southeast", "se"))
    i.cluster = f"{rng.choice(v['clusters']['prefixes'])}-{rng.choice(v['clusters']['envs'])}-{short}"
    i.account = str(rng.randrange(1, 10)) + "".join(str(rng.randrange(10)) for _ in range(11))
    i.namespace = rng.choice(v["namespaces"])
    services = []
    n_services = rng.randint(3, 5)
    while len(services) < n_services:
        stem = rng.choice(v["service_stems"])
        name = f"{stem}-{rng.choice(v['service_suffixes'])}" if rng.random() < 0.8 else stem
        if name not in services:
            services.append(name)
    i.services = services
    i.service = service = services[0]
    i.language = rng.choice(v["languages"])
    i.runtime = pick_w(rng, spec.families["runtimes"])
    if plan.has("legacy_kubelet_messages") and rng.random() < 0.5:
        i.runtime = "docker"
    r = rng.randrange(10)
    i.container = (service if r <= 5 else "app" if r == 6 else "main" if r == 7
                   else "server" if r == 8 else service.split("-")[0])
    kind = plan.presentation.get("registry_kind")
    registry = (next((x for x in v["registries"] if x["kind"] == kind), v["registries"][0])
                if kind else rng.choice(v["registries"]))
    org, i.team, company = rng.choice(v["orgs"]), rng.choice(v["teams"]), rng.choice(v["companies"])
    host = spec.expand(registry["host"], {"account": i.account, "region": i.region["name"],
                                          "company": company})
    repo = f"{i.team if registry['org_style'] == 'team' else org}/{service}"
    i.tag, i.old_tag = make_tag(spec, rng), make_tag(spec, rng)
    dockerhub = registry["kind"] == "dockerhub"
    i.registry_kind = registry["kind"]
    i.image_repo = repo if dockerhub else f"{host}/{repo}"
    i.image_full_repo = f"docker.io/{repo}" if dockerhub else i.image_repo
    i.image = f"{i.image_repo}:{i.tag}"
    i.image_repo_base = i.image_repo.rsplit("/", 1)[0] if "/" in i.image_repo else ""
    dep = rng.choice(v["dependencies"])
    dep_host = (f"{dep['host_stem']}-{rng.choice(['primary', 'main', '0', 'rw', 'svc'])}"
                f".{i.namespace}.svc.cluster.local")
    dep_ip = f"10.{rng.randrange(4) * 16}.{rng.randrange(255)}.{rng.randrange(2, 250)}"
    binary = rng.choice(v["binaries"])
    binary_path = f"{rng.choice(['/app', '/usr/local/bin', '/opt/app/bin', '/srv'])}/{binary}"
    process = {"java": "java", "python": "python3", "node": "node"}.get(i.language, binary)
    pid = rng.randrange(1200, 48000)
    mem_mi = rng.choice([256, 384, 512, 768, 1024, 1536, 2048, 4096])
    mem_limit = f"{mem_mi // 1024}Gi" if mem_mi % 1024 == 0 else f"{mem_mi}Mi"
    want = plan.spec.get("memory_limit")
    i.memory_limit = (None if want == "none" else mem_limit if want == "required"
                      else mem_limit if rng.random() < 0.8 else None)
    rss_kb = (rng.randrange(3_000_000, 12_000_000) if i.memory_limit is None
              else mem_mi * 1024 - rng.randrange(200, 4000))
    i.workload_kind = "deployment" if rng.randrange(100) < 88 else "statefulset"
    i.kernel_collected = rng.random() < 0.6
    i.memory_monitor = rng.random() < 0.7
    i.also = []
    i.vars = {
        "service": service, "workload": service, "namespace": i.namespace,
        "container": i.container, "image": i.image, "image_full": f"{i.image_full_repo}:{i.tag}",
        "image_repo": i.image_repo, "registry": "registry-1.docker.io" if dockerhub else host,
        "repo": repo, "image_registry": "docker.io" if dockerhub else host, "tag": i.tag,
        "language": i.language, "dep_kind": dep["kind"], "dep_host": dep_host,
        "dep_port": dep["port"], "dep_ip": dep_ip, "config_key": rng.choice(v["config_keys"]),
        "config_name": f"{service}-{rng.choice(['config', 'settings', 'env', 'conf'])}",
        "secret_name": f"{service}-{rng.choice(['secrets', 'credentials', 'db', 'tokens', 'keys'])}",
        "binary": binary, "binary_path": binary_path, "process": process, "pid": pid,
        "mem_limit": mem_limit, "mem_limit_kb": mem_mi * 1024, "rss_kb": rss_kb,
        "total_vm_kb": rss_kb + rng.randrange(400_000, 3_000_000),
        "dns_ip": f"10.{rng.randrange(4) * 16}.0.2", "addr": hexs(rng, 16),
        "pc": f"{rng.randrange(0x400000, 0x7fffffffffff):012x}", "cluster": i.cluster,
        "region": i.region["name"], "account": i.account, "org": org,
        "registry_kind": registry["kind"], "pattern": plan.pattern,
        # Fillers.
        "user_id": str(rng.randrange(1_000_000, 10_000_000)),
        "order_id": str(rng.randrange(100_000_000, 1_000_000_000)),
        "email": f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}@example.{rng.choice(['com', 'net', 'org'])}",
        "client_ip": ".".join(str(rng.randrange(1, 255)) for _ in range(4)),
        "user_agent": rng.choice(USER_AGENTS),
        "url": f"https://www.{rng.choice(WORDS)}.{rng.choice(DOMAIN_SUFFIXES)}/{rng.choice(WORDS)}",
        "request_path": f"/v1/{rng.choice(WORDS)}/{rng.randrange(1000, 10000)}",
        "trace_id": hexs(rng, 32), "request_id": hexs(rng, 16),
    }
    return i


def neighbour_of(nid, main, service):
    """A neighbour's identity (drawn for its own cause) made another workload of main's
    namespace."""
    own = (nid.service, nid.account, nid.region["name"], nid.namespace)

    def fix(s):
        return (s.replace(own[0], service).replace(own[1], main.account)
                .replace(own[2], main.region["name"])
                .replace(f".{own[3]}.", f".{main.namespace}."))

    nid.image_repo, nid.image_full_repo = fix(nid.image_repo), fix(nid.image_full_repo)
    nid.image_repo_base, nid.image = fix(nid.image_repo_base), fix(nid.image)
    for k in ("image", "image_full", "image_repo", "registry", "image_registry", "repo", "dep_host"):
        nid.vars[k] = fix(nid.vars[k])
    nid.region, nid.cluster, nid.account = main.region, main.cluster, main.account
    nid.namespace, nid.services, nid.service = main.namespace, main.services, service
    nid.container, nid.team, nid.runtime = service, main.team, main.runtime
    nid.workload_kind, nid.kernel_collected, nid.also = "deployment", main.kernel_collected, []
    nid.vars.update(service=service, workload=service, container=service,
                    namespace=main.namespace, cluster=main.cluster,
                    region=main.region["name"], account=main.account)
    return nid


def draw_nodes(spec, ident, rng):
    v = spec.vocab
    n_nodes = rng.randint(3, 6)
    nodegroup, it = rng.choice(v["nodegroups"]), rng.choice(v["instance_types"])
    kubelet = rng.choice(v["kubelet_versions"])
    second = rng.randrange(4) * 16
    nodes = []
    for i in range(n_nodes):
        zones = ident.region["zones"]
        zone = zones[i % len(zones)]
        ip = f"10.{second}.{i * 40 + rng.randrange(31)}.{rng.randrange(4, 250)}"
        nodes.append({
            "name": f"ip-{ip.replace('.', '-')}.{ident.region['dns']}", "internal_ip": ip,
            "instance_type": it["name"], "arch": it["arch"],
            "provider_id": f"aws:///{zone}/i-0{hexs(rng, 16)}", "zone": zone,
            "nodegroup": nodegroup, "kubelet_version": kubelet, "ready": "True",
            "memory_pressure": "False", "disk_pressure": "False", "pid_pressure": "False",
            "memory_reason": "KubeletHasSufficientMemory", "capacity_cpu": it["cpu"],
            "capacity_memory": it["memory"], "allocatable_cpu": it["alloc_cpu"],
            "allocatable_memory": it["alloc_memory"], "created": 0, "instance_type_label": True,
            "os_image": "", "kernel_version": "", "runtime_version": "",
        })
    target = rng.randrange(n_nodes)
    ident.vars["node"], ident.vars["arch"] = nodes[target]["name"], nodes[target]["arch"]
    return nodes, target


def simulate_loop(spec, rng, t0, span, run, terminated_now):
    runs, delays, t, n = [], [], t0, 0
    while True:
        crash = t + rng.randint(run[0], max(run[1], run[0]))
        delay = spec.backoff_delay(n)
        runs.append((t, crash))
        delays.append(delay)
        nxt = crash + delay + rng.randint(0, 1)
        if nxt > t0 + span or len(runs) >= 5000:
            break
        t, n = nxt, n + 1
    last_crash = runs[-1][1]
    snapshot = (last_crash + rng.randint(0, 1) if terminated_now
                else last_crash + rng.randint(2, max(delays[-1] - 1, 2)))
    return runs, delays, snapshot


def simulate_pull(spec, rng, t0, span, err_now):
    attempts, delays, t, n = [], [], t0, 0
    while True:
        delay = spec.backoff_delay(n)
        attempts.append(t)
        delays.append(delay)
        nxt = t + 2 + delay
        if nxt > t0 + span or len(attempts) >= 5000:
            break
        t, n = nxt, n + 1
    last = attempts[-1]
    snapshot = (last + 2 + rng.randint(0, 1) if err_now
                else last + 2 + rng.randint(2, max(delays[-1] - 1, 2)))
    return attempts, delays, snapshot


class Story:
    """The alerted (or a neighbour's) pod from its start to the snapshot, as the plan's pattern
    plays out: its pod, events, log lines and Datadog records."""

    def __init__(self, spec, plan, ident, nodes, target, rng, at=None):
        self.spec, self.plan, self.id, self.rng = spec, plan, ident, rng
        self.k = spec.text["kubelet"]
        self.nodes, self.node = nodes, nodes[target]
        self.snapshot_guess = BASE_EPOCH + rng.randrange(60 * 86_400) if at is None else at
        self.rs_hash = k8s_suffix(rng, 10)
        self.old_rs_hash = k8s_suffix(rng, 9 if rng.random() < 0.5 else 10)
        siblings = plan.has("healthy_sibling_replicas")
        self.replicas = (rng.randint(1, 4) if plan.mode == "healthy"
                         else rng.randint(2, 4) if siblings else 1)
        self.pod_name = ident.pod_name(rng, ident.service, self.replicas if siblings else 0,
                                       self.rs_hash)
        self.uid = uuid4(rng)
        ident.vars["pod"], ident.vars["uid"] = self.pod_name, self.uid
        self.memory_ratio = rng.uniform(0.3, 0.75) if ident.memory_limit else None
        self.tags = ident.dd_tags(self.pod_name, ident.service, ident.container, ident.tag)
        self.image = ident.image
        self.events, self.pod_lines, self.run_lines, self.datadog, self.signals = [], [], [], [], []
        self.exit_code, self.reason, self.config_message, self.missing_ref = None, "", "", ""
        self.restart_count = 0

    def say(self, source, **ctx):
        return self.spec.expand(source, ctx)

    def expand(self, source):
        return self.spec.expand(source, self.id.vars)

    def event(self, reason, message, ty, count, first, last):
        self.events.append(event(self.id.namespace, "Pod", self.pod_name, self.node["name"],
                                 reason, message, ty, count, first, last))

    def scheduled(self, at):
        m = self.say(self.spec.text["scheduler"]["scheduled"], namespace=self.id.namespace,
                     pod=self.pod_name, node=self.node["name"])
        self.events.append(scheduler_event(self.rng, self.id.namespace, self.pod_name,
                                           "Scheduled", m, "Normal", at, "Binding"))

    def log(self, line, own_log):
        if own_log:
            self.pod_lines.append(line)
        push_dd(self.datadog, line, self.id.service, self.node["name"], self.tags)

    def startup(self):
        sets = self.spec.families["startup"].get(self.id.language) or []
        return self.rng.choice(sets)["lines"] if sets else []

    def new_pod(self, phase, ip, start, c, conditions):
        return pod(self.pod_name, self.id.namespace, self.uid, self.id.service, self.node["name"],
                   phase, ip, start, c, conditions)

    def unready(self, names):
        return self.say(self.k["unready"], containers=" ".join(names))

    def tell(self):
        pattern = self.plan.pattern
        if pattern == "crash_loop":
            target, snapshot = self.crash_loop()
        elif pattern == "config_error":
            target, snapshot = self.config_error()
        elif pattern in ("image_pull", "invalid_image"):
            target, snapshot = self.image_pull(pattern == "invalid_image")
        else:
            target, snapshot = self.healthy()
        self.record_vars()
        self.id.image = self.image
        return target, snapshot

    def carried_in_backoff(self, term):
        cs, plan = self.plan.spec, self.plan
        dd_ok = not plan.has("datadog_unavailable")
        if cs.get("kernel_cgroup") or cs.get("kernel_global"):
            monitor = self.id.memory_monitor and (self.memory_ratio or 0) > 0.9
            return dd_ok and (self.id.kernel_collected or monitor)
        if term.get("never_started") or term.get("message"):
            return not plan.has("events_unavailable")
        logs_carry = any(bool(tl.get("when_log_only")) == bool(term.get("log_only"))
                         for tl in cs.get("tails", []))
        return logs_carry and (not plan.has("no_pod_logs") or dd_ok)

    def crash_loop(self):
        cs, rng, ident = self.plan.spec, self.rng, self.id
        fits = [w for w in cs["terminations"]
                if w["value"].get("runtime") in (None, ident.runtime)]
        term = pick_w(rng, fits or cs["terminations"])
        self.exit_code, self.reason = term["exit_code"], term["reason"]
        if term["reason"] == "OOMKilled" and ident.memory_limit:
            self.memory_ratio = 1.0
        terminated_now = rng.random() < (0.7 if self.plan.tier == 0 else 0.12)
        run = cs.get("run_seconds", [1, 30])
        span = rng.choice([240, 600, 1200, 2400, 3600, 7200, 14_400, 28_800]) + rng.randrange(600)
        if not self.carried_in_backoff(term):
            terminated_now = True
        if not terminated_now:
            self.signals.append("waiting_state_only")
        start = self.snapshot_guess - span
        runs, delays, snapshot = simulate_loop(self.spec, rng, start, span, run, terminated_now)
        self.restart_count = len(runs) - 1
        msg = self.expand(term["message"]) if term.get("message") else None
        never = bool(term.get("never_started"))

        def mk_term(r):
            return termination(term["exit_code"], term["reason"], 0 if never else r[0], r[1], msg)

        last = runs[-1]
        if terminated_now:
            st = terminated_state(mk_term(last))
            last_state = mk_term(runs[-2]) if len(runs) >= 2 else None
        else:
            wait = self.say(self.k["crash_backoff_waiting"], legacy=self.plan.has("legacy_kubelet_messages"),
                            delay=go_duration(delays[-1]), container=ident.container,
                            pod=self.pod_name, namespace=ident.namespace, uid=self.uid)
            st, last_state = state("waiting", "CrashLoopBackOff", wait), mk_term(last)
        pod_start = start - rng.randrange(3, 20)
        self.crash_events(runs, delays, snapshot, term, msg, pod_start)
        shown = runs[-3:]
        self.run_logs(term, shown)
        self.kernel_lines(shown)
        if cs.get("node_pressure"):
            self.node_pressure(start, snapshot)
        conditions = pod_conditions(pod_start, self.unready([ident.container]), last[1])
        ip = pod_ip(rng, self.node["internal_ip"])
        c = container(ident.container, self.image, st, ident.memory_limit,
                      f"{ident.image_full_repo}@sha256:{hexs(rng, 64)}",
                      container_id(rng, ident.runtime))
        c["restart_count"], c["last_state"] = self.restart_count, last_state
        c["log"] = self.run_lines[-1] if self.run_lines else []
        if terminated_now:
            c["previous_log"] = self.run_lines[-2] if len(self.run_lines) >= 2 else []
        else:
            c["previous_log"] = c["log"]
        return self.new_pod("Running", ip, pod_start, c, conditions), snapshot

    def crash_events(self, runs, delays, snapshot, term, msg, pod_start):
        k, ident, sync = self.k, self.id, self.spec.backoff["sync_seconds"]
        bo_count, bo_first, bo_last = 0, None, 0
        for i, (_, crash) in enumerate(runs):
            end = min(crash + delays[i], snapshot)
            if end - crash < 1:
                continue
            n = max((end - crash) // sync, 1)
            bo_count += n
            bo_first = crash + 1 if bo_first is None else min(bo_first, crash + 1)
            bo_last = max(bo_last, crash + 1 + sync * (n - 1))
        bo_last = min(bo_last, snapshot)
        self.scheduled(pod_start)
        n_runs, first_start, last = len(runs), runs[0][0], runs[-1]
        self.event("Pulled", self.say(k["pulled"], image=self.image), "Normal", n_runs,
                   first_start - 1, last[0] - 1)
        self.event("Created", self.say(k["created"], container=ident.container), "Normal",
                   n_runs, first_start, last[0])
        if term.get("never_started") or term.get("message"):
            self.event("Failed", self.say(k["failed"], message=msg or ""), "Warning", n_runs,
                       first_start, last[0])
        else:
            self.event("Started", self.say(k["started"], container=ident.container), "Normal",
                       n_runs, first_start, last[0])
        if bo_count > 0:
            m = self.say(k["crash_backoff_event"], legacy=self.plan.has("legacy_kubelet_messages"),
                         container=ident.container, pod=self.pod_name,
                         namespace=ident.namespace, uid=self.uid)
            if bo_count > 50 and self.rng.random() < 0.3:
                m = self.say(k["combined"], message=m)
            self.event("BackOff", m, "Warning", bo_count, bo_first, bo_last)

    def run_logs(self, term, shown):
        cs, rng, ident = self.plan.spec, self.rng, self.id
        tails = [tl for tl in cs.get("tails", [])
                 if bool(tl.get("when_log_only")) == bool(term.get("log_only"))
                 and (not tl.get("lang") or ident.language in tl["lang"])]
        tail = rng.choice(tails) if tails else None
        if tail and not term.get("never_started"):
            ident.note_also(tail.get("also"))
        startup = self.startup()
        timing = cs.get("tail_timing_ms", {"gap": 3, "lead": 20})
        for ri, (rs, rc) in enumerate(shown):
            if term.get("never_started"):
                break
            start_ms, crash_ms = rs * 1000, rc * 1000
            lines = []
            if not term.get("log_only") and cs.get("app_starts", True):
                at = start_ms + rng.randrange(80, 400)
                for level, text, *_ in startup:
                    lines.append((at, level, self.expand(text)))
                    at += rng.randrange(20, 350)
            if cs.get("steady_before_tail"):
                n = rng.randrange(1, 4)
                for j in range(n):
                    level, text, *_ = rng.choice(self.spec.families["steady"])
                    lines.append((start_ms + (crash_ms - start_ms) * (j + 1) // (n + 2), level,
                                  self.expand(text)))
            if tail:
                n = len(tail["lines"])
                for j, (level, text, *_) in enumerate(tail["lines"]):
                    back = (n - j) * timing["gap"] + timing["lead"]
                    lines.append((crash_ms - back, level, self.expand(text)))
            prev, run = None, []
            for ms, level, text in lines:
                ms = ms if prev is None else max(ms, prev + 1)
                prev = ms
                line = log_line(ms, level, text)
                self.log(line, ri + 1 == len(shown))
                run.append(line)
            self.run_lines.append(run)

    def kernel_lines(self, shown):
        cs, ident = self.plan.spec, self.id
        kline = cs.get("kernel_global") or cs.get("kernel_cgroup")
        if not kline:
            return
        pid = ident.vars["pid"]
        node = self.node["name"]
        if ident.kernel_collected:
            for ri, (_, rc) in enumerate(shown):
                ident.vars["pid"] = pid + ri * 131
                self.datadog.append({
                    "ms": rc * 1000 - 3, "timestamp": rc * 1000 - 3, "message": self.expand(kline),
                    "status": "error", "service": "kernel", "host": node, "source": "kernel",
                    "tags": [f"kube_cluster_name:{ident.cluster}", f"host:{node}", "source:kernel"],
                    "pod": None, "attributes": None})
        if cs.get("kernel_global") or self.plan.has("cgroup_oom_node_event"):
            for ri in range(len(shown) - 1, max(len(shown) - 3, -1), -1):
                ident.vars["pid"] = pid + ri * 131
                rc = shown[ri][1]
                self.events.append(event("default", "Node", node, node, "OOMKilling",
                                         self.expand(kline), "Warning", 1, rc, rc,
                                         "kernel-monitor"))
        ident.vars["pid"] = pid

    def node_pressure(self, start, snapshot):
        n = self.node
        n["memory_pressure"], n["memory_reason"] = "True", "KubeletHasInsufficientMemory"
        name = n["name"]
        self.events.append(event("default", "Node", name, name, "NodeHasInsufficientMemory",
                                 self.say(self.k["node_insufficient_memory"], node=name),
                                 "Normal", 1, start - 30, start - 30))
        if self.rng.random() < 0.6:
            count = self.rng.randrange(1, 6)
            last = snapshot - self.rng.randrange(30, 300)
            self.events.append(event("default", "Node", name, name, "EvictionThresholdMet",
                                     self.say(self.k["eviction_threshold"]), "Warning", count,
                                     start - 20, last))

    def pending(self, start, st):
        ip = pod_ip(self.rng, self.node["internal_ip"])
        c = container(self.id.container, self.image, st, self.id.memory_limit)
        return self.new_pod("Pending", ip, start, c,
                            pod_conditions(start, self.unready([c["name"]])))

    def config_error(self):
        msg = self.expand(pick_w(self.rng, self.plan.spec["config_errors"]))
        self.config_message = self.missing_ref = msg
        self.reason = "CreateContainerConfigError"
        span = self.rng.randrange(300, 14_400)
        start, snapshot = self.snapshot_guess - span, self.snapshot_guess
        count = max(span // self.spec.backoff["sync_seconds"], 1)
        self.scheduled(start)
        self.event("Pulled", self.say(self.k["pulled"], image=self.image), "Normal", count,
                   start + 2, snapshot - 3)
        self.event("Failed", self.say(self.k["failed"], message=msg), "Warning", count,
                   start + 2, snapshot - 3)
        return self.pending(start, state("waiting", "CreateContainerConfigError", msg)), snapshot

    def image_pull(self, invalid):
        rng = self.rng
        span = rng.choice([300, 900, 1800, 3600, 7200, 21_600]) + rng.randrange(300)
        start = self.snapshot_guess - span
        self.scheduled(start)
        st, snapshot = self.invalid_image(start, span) if invalid else self.pull_attempts(start, span)
        return self.pending(start, st), snapshot

    def invalid_image(self, start, span):
        inv = pick_w(self.rng, self.plan.spec["invalid_images"])
        self.image = self.id.vars["image"] = self.expand(inv["image"])
        msg = self.say(self.k["invalid_image"], image=self.image, suffix=inv["suffix"])
        self.reason = "InvalidImageName"
        snapshot = self.snapshot_guess
        count = max(span // self.spec.backoff["sync_seconds"], 1)
        self.event("InspectFailed", msg, "Warning", count, start + 1, snapshot - 2)
        self.event("Failed", self.say(self.k["invalid_image_failed"]), "Warning", count,
                   start + 1, snapshot - 2)
        return state("waiting", "InvalidImageName", msg), snapshot

    def pull_attempts(self, start, span):
        k, rng = self.k, self.rng
        errors = self.plan.spec["pull_errors"]
        fits = [w for w in errors if w["value"]["runtime"] == self.id.runtime]
        err = pick_w(rng, fits or errors)
        self.id.note_also(err.get("also"))
        text = self.expand(err["text"])
        events_ok = not self.plan.has("events_unavailable")
        err_now = not events_ok or rng.random() < (0.6 if self.plan.tier == 0 else 0.15)
        if not err_now:
            self.signals.append("pull_error_in_events_only")
        attempts, delays, snapshot = simulate_pull(self.spec, rng, start, span, err_now)
        sync = self.spec.backoff["sync_seconds"]
        n, first, last = len(attempts), attempts[0], attempts[-1]
        bo, bo_last = 0, first + 3
        for i, a in enumerate(attempts):
            end = min(a + 2 + delays[i], snapshot)
            if end - (a + 2) >= 1:
                kk = max((end - a - 2) // sync, 1)
                bo += kk
                bo_last = min(max(bo_last, a + 3 + sync * (kk - 1)), snapshot)
        image = self.image
        self.event("Pulling", self.say(k["pulling"], image=image), "Normal", n, first, last)
        self.event("Failed", self.say(k["pull_failed"], image=image, error=text), "Warning", n,
                   first + 1, last + 1)
        self.event("Failed", self.say(k["err_image_pull"]), "Warning", n, first + 1, last + 1)
        backoff_msg = self.say(k["pull_backoff"], image=image)
        if bo > 0:
            self.event("BackOff", backoff_msg, "Normal", bo, first + 3, bo_last)
            self.event("Failed", self.say(k["image_pull_backoff"]), "Warning", bo, first + 3,
                       bo_last)
        if err_now:
            self.reason = "ErrImagePull"
            return state("waiting", "ErrImagePull", text), snapshot
        self.reason = "ImagePullBackOff"
        return state("waiting", "ImagePullBackOff", backoff_msg), snapshot

    def healthy(self):
        rng, ident = self.rng, self.id
        snapshot = self.snapshot_guess
        start = snapshot - rng.randrange(3_600, 40 * 86_400)
        self.scheduled(start)
        target = running_pod(rng, ident, self.pod_name, self.uid, ident.service, ident.container,
                             self.image, self.node, start, ident.memory_limit)
        for i, (level, text, *_) in enumerate(self.startup()):
            self.pod_lines.append(log_line((start + 2) * 1000 + i * 137, level, self.expand(text)))
        for i in range(rng.randrange(4, 9)):
            level, text, *_ = rng.choice(self.spec.families["steady"])
            ms = (snapshot - 600 + i * 61) * 1000 + rng.randrange(900)
            self.log(log_line(ms, level, self.expand(text)), True)
        target["containers"][0]["log"] = list(self.pod_lines)
        return target, snapshot

    def record_vars(self):
        v = self.id.vars
        v["restart_count"], v["exit_code"] = self.restart_count, self.exit_code or 0
        v["reason"], v["config_message"] = self.reason, self.config_message
        if not self.missing_ref:
            path = f"/etc/{self.id.service}/config.yaml"
            self.missing_ref = (path if any(path in l["text"] for l in self.pod_lines)
                                else f"environment variable {v['config_key']}")
        v["missing_ref"] = self.missing_ref


def running_pod(rng, ident, name, uid, workload, cname, image, node, start, memory_limit):
    started = start + rng.randrange(2, 30)
    repo = (ident.image_full_repo if "/" in image and "." in image
            else f"docker.io/{image.split(':')[0]}")
    c = container(cname, image, state("running", started_at=started), memory_limit,
                  f"{repo}@sha256:{hexs(rng, 64)}", container_id(rng, ident.runtime), True, True)
    return pod(name, ident.namespace, uid, workload, node["name"], "Running",
               pod_ip(rng, node["internal_ip"]), start, c,
               pod_conditions(start, None, started + 5))


class Builder:
    """Samples the world of one scenario."""

    def __init__(self, spec, seed, index, scenario_id):
        self.spec = spec
        self.rng = random.Random(seed + index)
        self.id_str = scenario_id

    def build(self):
        spec, rng = self.spec, self.rng
        plan = self.plan = draw_plan(spec, rng)
        ident = self.ident = draw_identity(spec, plan, rng)
        self.nodes, self.target = draw_nodes(spec, ident, rng)
        story = Story(spec, plan, ident, self.nodes, self.target, rng)
        target, self.snapshot = story.tell()
        self.story = story
        self.pods, self.deployments, self.statefulsets = [], [], []
        self.events, self.datadog = story.events, story.datadog
        self.signals = list(story.signals)
        self.target_pod, self.replicas = target["name"], story.replicas
        neighbour = self.neighbour()
        self.alerted_workload(target)
        self.sidecars()
        if ident.workload_kind != "deployment":
            for d in self.deployments:
                if d["name"] == ident.service:
                    self.deployments.remove(d)
                    d["kind"] = "StatefulSet"
                    self.statefulsets.append(d)
                    break
        self.other_workloads(neighbour)
        if plan.has("pod_starting"):
            self.pod_starting()
        if plan.has("completed_job_pod"):
            self.completed_job()
        self.distractors()
        sources = self.sources()
        facts = self.facts()
        monitors = self.monitors(facts)
        alert = self.alert(facts, monitors)
        answer = self.answer(sources)
        log_requests = self.details(sources, monitors)
        return self.assemble(sources, monitors, alert, answer, log_requests)

    # Stage: the neighbour (unrelated_failing_workload).
    def neighbour(self):
        spec, plan, ident, rng = self.spec, self.plan, self.ident, self.rng
        if not plan.has("unrelated_failing_workload") or len(ident.services) < 2:
            return None
        partner = spec.twin_partner.get(plan.cause)
        causes = [c for c in sorted(spec.causes)
                  if c not in (plan.cause, partner) and TAXONOMY[c][0] != "healthy"
                  and not spec.causes[c].get("node_pressure")]
        cause = rng.choice(causes)
        cs = spec.causes[cause]
        pres = rng.choices(cs["presentations"], [p.get("weight", 1) for p in cs["presentations"]])[0]
        nplan = Plan(spec, cause, 0, pres, [pres["signal"]] if pres.get("signal") else [])
        service = ident.services[1]
        nid = neighbour_of(draw_identity(spec, nplan, rng), ident, service)
        n = len(self.nodes)
        where = (self.target + 1 + rng.randrange(n - 1)) % n
        nid.vars["node"], nid.vars["arch"] = self.nodes[where]["name"], self.nodes[where]["arch"]
        at = self.snapshot - rng.randrange(1200, 2400)
        story = Story(spec, nplan, nid, self.nodes, where, rng, at)
        target, _ = story.tell()
        return {"story": story, "target": target, "image": nid.image,
                "memory_limit": nid.memory_limit}

    # Stage: the rest of the namespace.
    def workload_pod(self, name, uid, image, node, start):
        ident = self.ident
        return running_pod(self.rng, ident, name, uid, ident.service, ident.container, image,
                           node, start, ident.memory_limit)

    def deployment(self, name, cont, image, memory_limit, h, desired, ready, unavailable, updated):
        return {"kind": "Deployment", "name": name, "namespace": self.ident.namespace,
                "desired": desired, "ready": ready, "available": ready,
                "unavailable": unavailable, "updated": updated, "container": cont,
                "image": image, "memory_limit": memory_limit, "hash": h, "revision": 1,
                "created": 0}

    def alerted_workload(self, target):
        spec, plan, ident, rng = self.spec, self.plan, self.ident, self.rng
        nodes, snapshot, replicas = self.nodes, self.snapshot, self.replicas
        rs_hash, old_rs_hash = self.story.rs_hash, self.story.old_rs_hash

        def deployment(ready, unavailable, updated):
            return self.deployment(ident.service, ident.container, ident.image,
                                   ident.memory_limit, rs_hash, replicas, ready, unavailable,
                                   updated)

        if plan.mode == "healthy":
            self.pods.append(target)
            for i in range(1, replicas):
                node = nodes[rng.randrange(len(nodes))]
                name = ident.pod_name(rng, ident.service, i, rs_hash)
                start = snapshot - rng.randrange(3_600, 30 * 86_400)
                self.pods.append(self.workload_pod(name, uuid4(rng), ident.image, node, start))
            self.deployments.append(deployment(replicas, 0, replicas))
            return
        sibs = []
        siblings = plan.has("healthy_sibling_replicas")
        pressure = plan.spec.get("node_pressure")
        if siblings:
            old_image = f"{ident.image_repo}:{ident.old_tag}"
            for i in range(replicas):
                n = ((self.target + 1 + i) % len(nodes) if pressure
                     else rng.randrange(len(nodes)))
                same_rs = pressure or ident.workload_kind == "statefulset"
                if plan.pattern == "invalid_image":
                    img = old_image
                elif same_rs or (plan.pattern == "crash_loop" and rng.random() < 0.3):
                    img = ident.image
                else:
                    img = old_image
                name = ident.pod_name(rng, ident.service, i, rs_hash if same_rs else old_rs_hash)
                start = snapshot - rng.randrange(7_200, 20 * 86_400)
                sibs.append(self.workload_pod(name, uuid4(rng), img, nodes[n], start))
            for s in sibs:
                for _ in range(rng.randrange(1, 3)):
                    level, text, *_ = rng.choice(spec.families["steady"])
                    line = log_line(recent_ms(rng, snapshot, 10, 900), level,
                                    spec.expand(text, ident.vars))
                    tags = ident.dd_tags(s["name"], ident.service, ident.container, ident.old_tag)
                    push_dd(self.datadog, line, ident.service, s["node"], tags)
                    s["containers"][0]["log"].append(line)
        self.pods.append(target)
        self.pods.extend(sibs)
        ready = replicas if siblings else 0
        unavailable = 1 if siblings and replicas == ready else max(replicas - ready, 1)
        self.deployments.append(deployment(ready, unavailable, 1))

    def sidecars(self):
        ident, rng = self.ident, self.rng
        sidecars = self.spec.vocab["sidecars"]
        if sidecars and rng.random() < 0.3:
            sc = rng.choice(sidecars)
            if sc["name"] != ident.container:
                self.signals.append("sidecar_container")
                repo = sc["image"].rsplit(":", 1)[0]
                for p in self.pods:
                    if p["workload"] != ident.service:
                        continue
                    started = min(p["start_time"] + rng.randrange(1, 6), self.snapshot)
                    p["containers"].append(container(
                        sc["name"], sc["image"], state("running", started_at=started), "128Mi",
                        f"{repo}@sha256:{hexs(rng, 64)}", container_id(rng, ident.runtime),
                        True, True))

    def log_pod(self, pod_name, line):
        for p in self.pods:
            if p["name"] == pod_name:
                p["containers"][0]["log"].append(line)
                return

    def other_workloads(self, neighbour):
        spec, ident, rng, nodes, snapshot = self.spec, self.ident, self.rng, self.nodes, self.snapshot
        for wi, other in enumerate(ident.services[1:], start=1):
            n_replicas = rng.randint(1, 3)
            other_tag = make_tag(spec, rng)
            image = (rng.choice(spec.vocab["third_party_images"]) if rng.random() < 0.2
                     else f"{ident.image_repo_base}/{other}:{other_tag}")
            h = k8s_suffix(rng, 10)
            failing = neighbour if wi == 1 else None
            memory_limit = None
            if failing:
                image, h = failing["image"], failing["story"].rs_hash
                memory_limit = failing["memory_limit"]
            ready = n_replicas
            for i in range(n_replicas):
                node = nodes[rng.randrange(len(nodes))]
                name = f"{other}-{h}-{k8s_suffix(rng, 5)}"
                uid = uuid4(rng)
                start = snapshot - rng.randrange(3_600, 25 * 86_400)
                if i == 0 and failing:
                    ready -= 1
                    story = failing["story"]
                    self.events.extend(e for e in story.events if last_seen(e) <= snapshot)
                    self.datadog.extend(story.datadog)
                    self.pods.append(failing["target"])
                    failing = None
                    continue
                p = running_pod(rng, ident, name, uid, other, other, image, node, start, None)
                c = p["containers"][0]
                if rng.random() < 0.15:
                    c["restart_count"] = rng.randrange(1, 4)
                    fin = snapshot - rng.randrange(86_400, 10 * 86_400)
                    c["last_state"] = termination(143, "Error", fin - rng.randrange(3_600, 86_400), fin)
                    c["state"]["started_at"] = fin + 1
                self.pods.append(p)
            self.deployments.append(self.deployment(other, other, image, memory_limit, h,
                                                    n_replicas, ready, n_replicas - ready,
                                                    n_replicas))
            running = [(p["name"], p["node"]) for p in self.pods
                       if p["workload"] == other and p["containers"][0]["ready"]]
            for _ in range(rng.randrange(1, 4)):
                if not running:
                    break
                pod_name, host = rng.choice(running)
                level, text, *_ = rng.choice(spec.families["steady"])
                line = log_line(recent_ms(rng, snapshot, 10, 1800), level,
                                ident.expand_as(spec, text, other))
                push_dd(self.datadog, line, other, host,
                        ident.dd_tags(pod_name, other, other, other_tag))
                self.log_pod(pod_name, line)

    def pod_starting(self):
        spec, ident, rng, plan = self.spec, self.ident, self.rng, self.plan
        wl = ident.service if plan.mode == "healthy" else ident.services[1]
        tpl = next((p for p in self.pods if p["workload"] == wl and p["phase"] == "Running"), None)
        if tpl is None:
            return
        if ident.workload_kind == "statefulset" and wl == ident.service:
            name = f"{wl}-{sum(1 for p in self.pods if p['workload'] == wl)}"
        else:
            name = f"{tpl['name'].rsplit('-', 1)[0]}-{k8s_suffix(rng, 5)}"
        start = self.snapshot - rng.randrange(2, 25)
        node = self.nodes[rng.randrange(len(self.nodes))]
        p = json.loads(json.dumps(tpl))  # a deep copy of the template pod
        p.update(name=name, uid=uuid4(rng), phase="Pending", start_time=start,
                 node=node["name"], ip="")
        for c in p["containers"]:
            c.update(ready=False, started=False, restart_count=0, last_state=None, image_id="",
                     container_id="", state=state("waiting", "ContainerCreating"))
        unready = spec.expand(spec.text["kubelet"]["unready"],
                              {"containers": " ".join(c["name"] for c in p["containers"])})
        p["conditions"] = pod_conditions(start, unready)
        m = spec.expand(spec.text["scheduler"]["scheduled"],
                        {"namespace": ident.namespace, "pod": name, "node": node["name"]})
        self.events.append(scheduler_event(rng, ident.namespace, name, "Scheduled", m, "Normal",
                                           start, "Binding"))
        m = spec.expand(spec.text["kubelet"]["pulling"], {"image": p["containers"][0]["image"]})
        self.events.append(event(ident.namespace, "Pod", name, node["name"], "Pulling", m,
                                 "Normal", 1, start + 1, start + 1))
        for d in self.deployments:
            if d["name"] == wl:
                d["desired"] += 1
                d["unavailable"] += 1
                d["updated"] += 1
        self.pods.append(p)

    def completed_job(self):
        spec, ident, rng, snapshot = self.spec, self.ident, self.rng, self.snapshot
        job = (f"{rng.choice(spec.vocab['service_stems'])}-"
               f"{rng.choice(['report', 'reconcile', 'export', 'cleanup', 'rollup'])}")
        scheduled = (snapshot - rng.randrange(120, 3_000)) // 60 * 60
        name = f"{job}-{scheduled // 60}-{k8s_suffix(rng, 5)}"
        node = self.nodes[rng.randrange(len(self.nodes))]
        run = rng.randrange(4, 90)
        img = f"{ident.image_repo_base}/{job}:{make_tag(spec, rng)}"
        p = running_pod(rng, ident, name, uuid4(rng), job, job, img, node, scheduled + 1, None)
        p["phase"] = "Succeeded"
        c = p["containers"][0]
        started = c["state"]["started_at"]
        finished = min(started + run, snapshot)
        c.update(ready=False, started=False,
                 state=terminated_state(termination(0, "Completed", started, finished)))
        p["conditions"] = pod_conditions(scheduled + 1, "", finished)
        for k in p["conditions"]:
            if k["kind"] in ("Ready", "ContainersReady"):
                k["reason"], k["message"] = "PodCompleted", None
            if k["kind"] == "PodReadyToStartContainers":
                k["status"] = "False"
        self.pods.append(p)

    # Stage: the distractors, then the namespace as the API would list it.
    def distractors(self):
        plan = self.plan
        if plan.has("healthy_pod_with_restart_history"):
            self.restart_history()
        if plan.has("sigkill_not_oom") or plan.has("events_expired"):
            self.liveness_kill()
        if plan.has("benign_old_warning_event"):
            self.benign_warning()
        if plan.has("noisy_error_logs"):
            self.noisy_errors()
        if plan.has("node_pressure_elsewhere"):
            self.node_pressure_elsewhere()
        self.finish()

    def restart_history(self):
        rng, snapshot = self.rng, self.snapshot
        idx = 0
        if self.plan.mode != "healthy":
            idx = next((i for i, p in enumerate(self.pods)
                        if p["name"] != self.target_pod and p["phase"] == "Running"
                        and p["containers"][0]["ready"]), 0)
        p = self.pods[idx]
        c = p["containers"][0]
        if p["phase"] == "Running" and c["ready"]:
            c["restart_count"] = rng.randrange(40, 720)
            fin = snapshot - rng.randrange(2 * 3600, 9 * 86_400)
            code, reason = rng.choice([(137, "OOMKilled"), (137, "OOMKilled"), (137, "Error"),
                                       (255, "Unknown"), (1, "Error")])
            c["last_state"] = termination(code, reason, fin - rng.randrange(600, 86_400), fin)
            c["state"]["started_at"] = fin + rng.randrange(1, 12)

    def liveness_kill(self):
        spec, rng, snapshot, k = self.spec, self.rng, self.snapshot, self.spec.text["kubelet"]
        p = next((p for p in self.pods if p["name"] != self.target_pod and p["phase"] == "Running"
                  and p["containers"][0]["ready"] and p["containers"][0]["last_state"] is None),
                 None)
        if p is None:
            return
        kill = snapshot - (rng.randrange(3_700, 20_000) if self.plan.has("events_expired")
                           else rng.randrange(300, 2_400))
        ran = rng.randrange(600, 86_400)
        c = p["containers"][0]
        c["restart_count"] += rng.randrange(1, 4)
        c["last_state"] = termination(137, "Error", kill - ran, kill)
        c["state"]["started_at"] = kill + 1
        ns = self.ident.namespace
        self.events.append(event(ns, "Pod", p["name"], p["node"], "Unhealthy",
                                 spec.expand(k["liveness_failed"], {"ip": p["ip"]}), "Warning",
                                 3, kill - 30, kill - 1))
        self.events.append(event(ns, "Pod", p["name"], p["node"], "Killing",
                                 spec.expand(k["liveness_killing"], {"container": c["name"]}),
                                 "Normal", 1, kill - 1, kill - 1))

    def benign_warning(self):
        spec, rng, snapshot, ident = self.spec, self.rng, self.snapshot, self.ident
        ev = rng.choice(spec.families["benign_events"])
        msg = spec.expand(ev["message"], ident.vars)
        when = snapshot - rng.randrange(2_000, 3_500)
        candidates = [p for p in self.pods if p["name"] != self.target_pod
                      and p["phase"] == "Running"
                      and all(c["ready"] and c["restart_count"] == 0 and c["last_state"] is None
                              for c in p["containers"])]
        i = rng.randrange(max(len(candidates), 1))
        if candidates:
            p = candidates[i]
            if ev["reason"] != "Unhealthy":
                p["start_time"] = when - rng.randrange(5, 90)
                for c in p["containers"]:
                    c["state"]["started_at"] = when + rng.randrange(5, 60)
            name, node = p["name"], p["node"]
        else:
            name = self.target_pod
            node = next((p["node"] for p in self.pods if p["name"] == name), "")
        if ev.get("form") == "scheduler":
            e = scheduler_event(rng, ident.namespace, name, ev["reason"], msg, "Warning", when,
                                "Scheduling")
            e["series_count"] = rng.randrange(2, 9)
            self.events.append(e)
        else:
            self.events.append(event(ident.namespace, "Pod", name, node, ev["reason"], msg,
                                     "Warning", rng.randrange(1, 4), when - 40, when))

    def noisy_errors(self):
        spec, rng, ident = self.spec, self.rng, self.ident
        for _ in range(rng.randrange(2, 6)):
            level, text, *_ = rng.choice(spec.families["noise_errors"])
            other = ident.services[rng.randrange(1, len(ident.services))]
            line = log_line(recent_ms(rng, self.snapshot, 10, 1500), level,
                            ident.expand_as(spec, text, other))
            pods = [(p["name"], p["node"]) for p in self.pods if p["workload"] == other]
            i = rng.randrange(max(len(pods), 1))
            if not pods:
                continue
            pod_name, host = pods[i]
            push_dd(self.datadog, line, other, host, ident.dd_tags(pod_name, other, other, ident.tag))
            self.log_pod(pod_name, line)

    def node_pressure_elsewhere(self):
        spec, rng, k = self.spec, self.rng, self.spec.text["kubelet"]
        n = len(self.nodes)
        idx = 0
        if n > 1:
            idx = rng.randrange(n - 1)
            idx += idx >= self.target
        node = self.nodes[idx]
        node["memory_pressure"], node["memory_reason"] = "True", "KubeletHasInsufficientMemory"
        name = node["name"]
        since = self.snapshot - rng.randrange(300, 3000)
        self.events.append(event("default", "Node", name, name, "NodeHasInsufficientMemory",
                                 spec.expand(k["node_insufficient_memory"], {"node": name}),
                                 "Normal", 1, since, since))
        count = rng.randrange(1, 6)
        self.events.append(event("default", "Node", name, name, "EvictionThresholdMet",
                                 spec.expand(k["eviction_threshold"], {}), "Warning", count,
                                 since + 10, self.snapshot - rng.randrange(30, 300)))

    def finish(self):
        rng, snapshot = self.rng, self.snapshot
        for p in self.pods:
            times = [t for c in p["containers"]
                     for t in (c["state"]["started_at"],
                               c["last_state"]["started_at"] if c["last_state"] else None)
                     if t]
            if times and min(times) < p["start_time"] + 1:
                p["start_time"] = min(times) - 1 - rng.randrange(30)
        self.pods.sort(key=lambda p: p["name"])
        self.events = [e for e in self.events if snapshot - last_seen(e) < EVENT_TTL_SECONDS]
        self.events.sort(key=lambda e: (
            e["last"] if e["last"] is not None
            else e["event_time"] // 1_000_000 if e["event_time"] is not None else 0, e["reason"]))
        self.datadog = sorted((d for d in self.datadog if d["ms"] <= snapshot * 1000),
                              key=lambda d: d["ms"])[-DATADOG_PAGE:]

    # Stage: sources, monitors, alert, answer.
    def sources(self):
        spec, plan, rng, ident = self.spec, self.plan, self.rng, self.ident
        tools = spec.text["tools"]
        sources = {k: {"listed": True, "error": None} for k in EVIDENCE_KINDS}
        if ident.workload_kind == "statefulset" and rng.random() < 0.3:
            sources["eks_deployments"]["listed"] = False
        if plan.has("datadog_unavailable"):
            e = rng.choice(tools["datadog_errors"])
            failure = {"api": "datadog", "http_status": e.get("http_status"),
                       "errors": e.get("errors", []), "transport": e.get("transport")}
            sources["datadog_logs"]["error"] = failure
            sources["datadog_monitors"]["error"] = dict(failure)
        if plan.has("events_unavailable"):
            m = spec.expand(tools["events_forbidden"], {"namespace": ident.namespace})
            sources["eks_events"]["error"] = forbidden(m, "events")
        if plan.has("no_pod_logs"):
            if rng.random() < 0.5:
                sources["eks_pod_logs"]["listed"] = False
            else:
                m = spec.expand(tools["pod_logs_forbidden"],
                                {"namespace": ident.namespace, "pod": self.target_pod})
                sources["eks_pod_logs"]["error"] = forbidden(m, "pods")
        return sources

    def facts(self):
        ident, pattern = self.ident, self.plan.pattern
        return {
            "namespace": ident.namespace, "service": ident.service, "cluster": ident.cluster,
            "team": ident.team, "restarts": self.story.restart_count,
            "crash_looping": pattern == "crash_loop", "memory_ratio": self.story.memory_ratio,
            "memory_monitor": ident.memory_monitor, "memory_limited": ident.memory_limit is not None,
            "waiting": pattern in ("image_pull", "invalid_image", "config_error"),
            "node_memory_pressure": any(n["memory_pressure"] == "True" for n in self.nodes),
            "error_logs": sum(1 for d in self.datadog
                              if d["service"] == ident.service and d["status"] == "error"),
        }

    def monitor(self, rule, facts):
        spec = self.spec
        return {"key": rule["key"], "id": self.rng.randrange(10_000_000, 199_999_999),
                "name": spec.expand(rule["name"], facts), "kind": rule["type"],
                "query": spec.expand(rule["query"], facts),
                "message": spec.expand(rule["message"], facts),
                "overall_state": spec.expand(rule["state"], facts).strip(),
                "tags": [spec.expand(t, facts) for t in rule["tags"]],
                "created": "", "created_ms": 0}

    def monitors(self, facts):
        out = []
        for rule in self.spec.text["monitors"]:
            forced = "present" in rule and self.spec.holds(rule["present"], facts)
            if forced or (rule["chance"] > 0 and self.rng.random() < rule["chance"]):
                out.append(self.monitor(rule, facts))
        return out

    def alert(self, facts, monitors):
        spec, plan, rng, ident = self.spec, self.plan, self.rng, self.ident
        kind = "misleading" if plan.has("misleading_alert_title") else "honest"
        rules = spec.alerts["rules"]
        eligible = [(n, rules[n]) for n in spec.alerts["modes"][plan.mode][kind]
                    if "when" not in rules[n] or spec.holds(rules[n]["when"], facts)]
        alertname, rule = rng.choice(eligible)
        pod_name, node = "", ""
        if rule["scope"] == "pod":
            target = next(p for p in self.pods if p["name"] == self.target_pod)
            replicas = [p for p in self.pods
                        if p["workload"] == target["workload"] and p["name"] != self.target_pod]
            if replicas and rng.random() < spec.alerts["other_replica_chance"]:
                other = rng.choice(replicas)
                pod_name, node = other["name"], other["node"]
            else:
                pod_name, node = self.target_pod, self.nodes[self.target]["name"]
        elif rule["scope"] == "node":
            pressured = [n["name"] for n in self.nodes if n["memory_pressure"] == "True"]
            node = rng.choice(pressured) if pressured else self.nodes[self.target]["name"]
        v = dict(ident.vars, pod=pod_name, alert_node=node, alert_value=rng.randint(1, 3),
                 alertname=alertname, replicas=self.replicas)
        ident.vars.update(alertname=alertname, replicas=self.replicas)
        severity = rng.choice(rule["severity"])
        description = spec.expand(rule["description"], v)
        alert = {"title": spec.expand(rule["title"], v), "state": "alerting",
                 "source": rule["source"], "alertname": alertname, "severity": severity,
                 "service": ident.service, "summary": spec.expand(rule["summary"], v),
                 "description": description, "error": description,
                 "symptom": spec.expand(rule["symptom"], v), "pod": pod_name, "node": node,
                 "context_sources": "eks,datadog"}
        key = rule.get("monitor")
        if key:
            m = next((m for m in monitors if m["key"] == key), None)
            if m is None:
                r = next((r for r in spec.text["monitors"] if r["key"] == key), None)
                if r is not None:
                    m = self.monitor(r, facts)
                    monitors.append(m)
            if m is not None:
                m["overall_state"] = "Alert"
        return alert

    def answer(self, sources):
        spec, plan, ident = self.spec, self.plan, self.ident
        cs = plan.spec
        keywords = []
        for k in cs["keywords"]:
            k = spec.expand(str(k), ident.vars)
            if k.strip() and k not in keywords:
                keywords.append(k)
        steps = [("list_eks_pods", "eks_pods"), ("get_eks_events", "eks_events")]
        if plan.pattern == "crash_loop":
            steps.append(("get_eks_pod_logs", "eks_pod_logs"))
        if cs.get("node_pressure"):
            steps.append(("get_eks_node_health", "eks_node_health"))
        listed = [(a, k) for a, k in steps if sources[k]["listed"]]

        def all_(key):
            return [spec.expand(s, ident.vars) for s in cs.get(key, [])]

        return {"root_cause": spec.expand(cs["root_cause"], ident.vars),
                "claims": all_("claims"), "non_validated": all_("non_validated"),
                "chain": all_("chain"), "keywords": keywords,
                "acceptable_root_causes": sorted(a for a in ident.also if a != plan.cause),
                "trajectory": [a for a, _ in listed],
                "evidence_sources": [k for _, k in listed if sources[k]["error"] is None],
                "max_loops": 3}

    # Stage: what the raw API objects hold beyond the tools' views.
    def details(self, sources, monitors):
        spec, ident, rng, snapshot = self.spec, self.ident, self.rng, self.snapshot
        image = rng.choice(spec.vocab["node_images"])
        label = rng.random() < 0.9
        joined = snapshot - rng.randrange(3 * 86_400, 120 * 86_400)
        for n in self.nodes:
            n.update(created=joined + rng.randrange(86_400), instance_type_label=label,
                     os_image=image["os_image"], runtime_version=image["runtime"],
                     kernel_version=spec.expand(image["kernel"], {
                         "arch_kernel": "aarch64" if n["arch"] == "arm64" else "x86_64"}))
        pull_secret = None
        if ident.registry_kind not in ("ecr", "dockerhub") and rng.random() < 0.85:
            pull_secret = spec.expand(rng.choice(spec.vocab["pull_secrets"]),
                                      {"registry_kind": ident.registry_kind})
        refs = {"config_map": ident.vars["config_name"], "secret": ident.vars["secret_name"],
                "secret_key": ident.vars["config_key"]}
        deployments = {d["name"] for d in self.deployments}
        for p in self.pods:
            own = p["workload"] == ident.service
            if own:
                p["pull_secret"], p["config_refs"] = pull_secret, refs
            if own and ident.workload_kind == "statefulset":
                p["owner_kind"], p["owner_name"] = "StatefulSet", p["workload"]
            elif own or p["workload"] in deployments:
                stem = p["name"].rsplit("-", 1)[0]
                p["hash"], p["owner_kind"], p["owner_name"] = stem.rsplit("-", 1)[-1], "ReplicaSet", stem
            else:
                p["owner_kind"], p["owner_name"] = "Job", p["name"].rsplit("-", 1)[0]
                p["restart_policy"] = "OnFailure"
            for c in p["containers"]:
                c["log"].sort(key=lambda l: l["ms"])
        for sts in self.statefulsets[:1]:
            sts["hash"] = f"{sts['name']}-{k8s_suffix(rng, 10)}"
            for p in self.pods:
                if p["owner_kind"] == "StatefulSet":
                    p["hash"] = sts["hash"]
            sts["created"] = snapshot - rng.randrange(30 * 86_400, 400 * 86_400)
        self.replicasets = []
        for d in self.deployments:
            d["created"] = snapshot - rng.randrange(30 * 86_400, 400 * 86_400)
            hashes = sorted({p["hash"] for p in self.pods
                             if p["workload"] == d["name"] and p["owner_kind"] == "ReplicaSet"})
            if d["hash"] not in hashes:
                hashes.append(d["hash"])
            d["revision"] = len(hashes)
            for i, h in enumerate(hashes):
                current = h == d["hash"]
                pods = [p for p in self.pods if p["workload"] == d["name"] and p["hash"] == h]
                created = (snapshot - min(rng.randrange(3_600, 30 * 86_400), snapshot - d["created"])
                           if current else d["created"])
                self.replicasets.append({
                    "name": f"{d['name']}-{h}", "namespace": d["namespace"],
                    "deployment": d["name"], "hash": h,
                    "revision": d["revision"] if current else i + 1, "replicas": len(pods),
                    "ready": sum(1 for p in pods if all(c["ready"] for c in p["containers"])),
                    "container": d["container"],
                    "image": pods[0]["containers"][0]["image"] if pods else d["image"],
                    "memory_limit": d["memory_limit"], "created": created})
        self.kubelet_log_answers()
        for d in self.datadog:
            d["attributes"] = pipeline_attributes(d["message"])
        self.event_objects()
        for m in monitors:
            ms = (snapshot - rng.randrange(20 * 86_400, 700 * 86_400)) * 1000 + rng.randrange(1000)
            m["created_ms"] = ms
            m["created"] = (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000))
                            + f".{ms % 1000:03d}{rng.randrange(1000):03d}+00:00")
        return self.log_capture(sources)

    def kubelet_log_answers(self):
        spec, tools = self.spec, self.spec.text["tools"]
        for p in self.pods:
            for c in p["containers"]:
                if c["last_state"] is None:
                    c["previous_error"] = spec.expand(tools["pod_logs_no_previous"],
                                                      {"container": c["name"], "pod": p["name"]})
                    if c["state"]["kind"] == "waiting":
                        reason = c["state"]["reason"] or ""
                        why = tools["waiting_why"].get(reason, reason)
                        c["log_error"] = spec.expand(tools["pod_logs_waiting"], {
                            "container": c["name"], "pod": p["name"], "why": why})

    def event_objects(self):
        by_name = {p["name"]: p for p in self.pods}
        for e in self.events:
            if e["object_kind"] == "Node":
                e["object_uid"] = e["object_name"]
                continue
            p = by_name.get(e["object_name"])
            if p is not None:
                e["object_uid"] = p["uid"]
                if e["reason"] not in POD_LEVEL_REASONS:
                    e["field_path"] = f"spec.containers{{{p['containers'][0]['name']}}}"

    def log_capture(self, sources):
        ident = self.ident
        err = sources["eks_pod_logs"]["error"]
        forbidden_status = (err["code"], err["reason"], err["message"]) if err else None
        out = []
        for p in self.pods:
            alerted = p["name"] == self.target_pod
            language = ident.language if p["workload"] == ident.service else "plain"
            for i, c in enumerate(p["containers"]):
                for previous in (False, True):
                    if previous and c["last_state"] is None and not (alerted and i == 0):
                        continue
                    error = c["previous_error"] if previous else c["log_error"]
                    if forbidden_status and alerted:
                        status = forbidden_status
                    elif error:
                        status = (400, "BadRequest", error)
                    else:
                        status = None
                    lines = [] if status else c["previous_log"] if previous else c["log"]
                    out.append({"namespace": p["namespace"], "pod": p["name"],
                                "container": c["name"], "previous": previous,
                                "language": language, "workload": p["workload"],
                                "lines": lines, "status": status})
        return out

    # The world, with every instant written as the APIs write it.
    def assemble(self, sources, monitors, alert, answer, log_requests):
        plan, ident, story = self.plan, self.ident, self.story
        for p in self.pods:
            p["start_time"] = rfc3339(p["start_time"])
            for k in p["conditions"]:
                k["last_transition"] = rfc3339(k["last_transition"])
            for c in p["containers"]:
                s = c["state"]
                for key in ("started_at", "finished_at"):
                    if s[key] is not None:
                        s[key] = rfc3339(s[key])
                if c["last_state"] is not None:
                    t = c["last_state"] = dict(c["last_state"])
                    t["started_at"], t["finished_at"] = rfc3339(t["started_at"]), rfc3339(t["finished_at"])
        for e in self.events:
            e["first"] = rfc3339(e["first"]) if e["first"] is not None else None
            e["last"] = rfc3339(e["last"]) if e["last"] is not None else None
            if e["event_time"] is not None:
                e["event_time"] = rfc3339_micros(e["event_time"])
        for obj in (*self.nodes, *self.deployments, *self.statefulsets, *self.replicasets):
            obj["created"] = rfc3339(obj["created"])
        for d in self.datadog:
            d["timestamp"] = rfc3339_millis(d["timestamp"])
        signals = sorted(set(plan.signals) | set(self.signals))
        failing = plan.mode != "healthy"
        return {
            "id": self.id_str,
            "labels": {"mode": plan.mode, "cause": plan.cause,
                       "category": TAXONOMY[plan.cause][1], "difficulty": plan.tier,
                       "signals": signals,
                       "exit_code": story.exit_code if plan.pattern == "crash_loop" else None,
                       "affected_pod": f"{ident.namespace}/{self.target_pod}" if failing else None,
                       "affected_container": ident.container if failing else None,
                       "twin": None},
            "engine": "eks", "cluster": ident.cluster, "region": ident.region["name"],
            "account": ident.account, "namespace": ident.namespace,
            "workload": {"kind": ident.workload_kind, "name": ident.service,
                         "service": ident.service, "container": ident.container,
                         "replicas": self.replicas, "language": ident.language,
                         "image": ident.image, "tag": ident.tag},
            "severity": alert["severity"], "runtime": ident.runtime, "pattern": plan.pattern,
            "snapshot": rfc3339(self.snapshot), "nodes": self.nodes,
            "deployments": self.deployments, "statefulsets": self.statefulsets,
            "replicasets": self.replicasets, "pods": self.pods, "events": self.events,
            "pod_logs": {"pod": self.target_pod, "container": ident.container,
                         "language": ident.language, "lines": story.pod_lines},
            "log_requests": log_requests, "datadog_logs": self.datadog, "monitors": monitors,
            "alert": alert, "sources": sources, "answer": answer,
        }


def forbidden(message, resource):
    return {"api": "kube", "code": 403, "reason": "Forbidden", "message": message,
            "resource": resource}


def sample_world(spec, seed, index, scenario_id):
    """The world of scenario `index`: a pure function of the templates, seed and index."""
    return Builder(spec, seed, index, scenario_id).build()
