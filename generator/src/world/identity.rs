//! Stage 2, identity: the names of everything (region, cluster, account, namespace, the
//! namespace's services, the alerted workload's container, image, registry and tag, the
//! dependency it talks to, the binary it runs, its memory limit) and the cluster's
//! observability set-up. Also the variables every spec string is rendered with ([`Vars`]).

use std::collections::BTreeMap;

use minijinja::Value;
use rand::RngExt;

use crate::GenError;
use crate::spec::{Pattern, Region, Templates};

use super::plan::Plan;
use super::rng::{StageRng, hex, neutral_hex, pick, pick_w};

/// Variables the spec strings are rendered with (documented at the top of families.yml).
#[derive(Clone, Debug, Default)]
pub struct Vars {
    map: BTreeMap<String, Value>,
    cached: Option<Value>,
}

impl Vars {
    /// Sets a variable.
    pub fn set(&mut self, k: &str, v: impl Into<Value>) {
        self.map.insert(k.to_owned(), v.into());
        self.cached = None;
    }

    /// A variable's value.
    pub fn get(&self, k: &str) -> Option<&Value> {
        self.map.get(k)
    }

    /// A string variable's value (empty when unset).
    pub fn text(&self, k: &str) -> String {
        self.map.get(k).map(ToString::to_string).unwrap_or_default()
    }

    /// The context to render with.
    pub fn ctx(&mut self) -> Value {
        if self.cached.is_none() {
            self.cached = Some(Value::from(self.map.clone()));
        }
        self.cached.clone().unwrap_or_default()
    }

    /// Renders a compiled spec string with these variables.
    pub fn expand(&mut self, t: &Templates, source: &str) -> Result<String, GenError> {
        let ctx = self.ctx();
        t.expand(source, &ctx)
    }

    /// Renders a spec string as another service of the namespace would print it.
    pub fn expand_as(
        &mut self,
        t: &Templates,
        source: &str,
        service: &str,
    ) -> Result<String, GenError> {
        let own = self.map.get("service").cloned();
        self.set("service", service);
        let out = self.expand(t, source);
        if let Some(own) = own {
            self.set("service", own);
        }
        out
    }
}

/// The names and settings of one scenario.
#[derive(Clone, Debug)]
pub struct Identity {
    pub region: Region,
    pub cluster: String,
    pub account: String,
    pub namespace: String,
    /// The namespace's services; the first is the alerted workload.
    pub services: Vec<String>,
    pub service: String,
    pub language: String,
    pub runtime: String,
    pub container: String,
    /// `ecr`, `dockerhub`, `ghcr`, ... (vocabulary registries).
    pub registry_kind: String,
    pub team: String,
    pub image_repo: String,
    pub image_full_repo: String,
    pub image_repo_base: String,
    pub image: String,
    pub tag: String,
    pub old_tag: String,
    pub workload_kind: &'static str,
    pub memory_limit: Option<String>,
    /// The Datadog agent collects the nodes' kernel log (it does not by default).
    pub kernel_collected: bool,
    /// The account has a memory monitor on the service.
    pub memory_monitor: bool,
    /// The variables of spec strings.
    pub vars: Vars,
    /// Other causes the evidence drawn so far cannot be told from (the `also` of the variants
    /// the timeline drew), for the answer's `acceptable_root_causes`.
    pub also: Vec<scenario::RootCause>,
}

impl Identity {
    /// The Datadog tags of a container's log records.
    pub fn dd_tags(&self, pod: &str, service: &str, container: &str, tag: &str) -> Vec<String> {
        vec![
            format!("kube_namespace:{}", self.namespace),
            format!("kube_deployment:{service}"),
            format!("pod_name:{pod}"),
            format!("kube_container_name:{container}"),
            format!("image_tag:{tag}"),
            format!("kube_cluster_name:{}", self.cluster),
            "env:prod".to_owned(),
        ]
    }

    /// The name of replica `i` of workload `service` (StatefulSet ordinals, or the ReplicaSet
    /// hash and a random suffix).
    pub fn pod_name(&self, rng: &mut StageRng, service: &str, i: u32, hash: &str) -> String {
        if self.workload_kind == "statefulset" && service == self.service {
            format!("{service}-{i}")
        } else {
            format!("{service}-{hash}-{}", super::rng::k8s_suffix(rng, 5))
        }
    }

    /// Records the `also` of a drawn variant: causes its text cannot be told from.
    pub fn note_also(&mut self, also: &[String]) {
        for a in also {
            if let Ok(rc) = scenario::RootCause::parse(a)
                && !self.also.contains(&rc)
            {
                self.also.push(rc);
            }
        }
    }

    /// This identity, drawn for a neighbour's cause, made another workload `service` of
    /// `main`'s namespace: the same region, cluster, account, team and container runtime, a
    /// kernel log that Datadog collects exactly when `main`'s is, and its own image, language,
    /// dependency and binary. Where its names held the drawn service, account, region or
    /// namespace, they hold `main`'s now.
    pub fn neighbour_of(mut self, main: &Identity, service: &str) -> Identity {
        let (own_service, own_account, own_region, own_namespace) = (
            self.service.clone(),
            self.account.clone(),
            self.region.name.clone(),
            self.namespace.clone(),
        );
        let fix = |s: &str| {
            s.replace(&own_service, service)
                .replace(&own_account, &main.account)
                .replace(&own_region, &main.region.name)
                .replace(
                    &format!(".{own_namespace}."),
                    &format!(".{}.", main.namespace),
                )
        };
        self.image_repo = fix(&self.image_repo);
        self.image_full_repo = fix(&self.image_full_repo);
        self.image_repo_base = fix(&self.image_repo_base);
        self.image = fix(&self.image);
        for k in [
            "image",
            "image_full",
            "image_repo",
            "registry",
            "image_registry",
            "repo",
            "dep_host",
        ] {
            let v = fix(&self.vars.text(k));
            self.vars.set(k, v);
        }
        self.region = main.region.clone();
        main.cluster.clone_into(&mut self.cluster);
        main.account.clone_into(&mut self.account);
        main.namespace.clone_into(&mut self.namespace);
        self.services.clone_from(&main.services);
        service.clone_into(&mut self.service);
        service.clone_into(&mut self.container);
        main.team.clone_into(&mut self.team);
        main.runtime.clone_into(&mut self.runtime);
        self.workload_kind = "deployment";
        self.kernel_collected = main.kernel_collected;
        self.also.clear();
        for (k, v) in [
            ("service", service),
            ("workload", service),
            ("container", service),
            ("namespace", &main.namespace),
            ("cluster", &main.cluster),
            ("region", &main.region.name),
            ("account", &main.account),
        ] {
            self.vars.set(k, v.to_owned());
        }
        self
    }

    /// A new image tag in one of the vocabulary's styles.
    pub fn make_tag(t: &Templates, rng: &mut StageRng) -> Result<String, GenError> {
        let style = pick(rng, &t.vocab.tag_styles);
        let ctx = minijinja::context! {
            major => rng.random_range(0..4),
            minor => rng.random_range(0..40),
            patch => rng.random_range(0..20),
            sha7 => neutral_hex(rng, 7),
            build => rng.random_range(100..9000),
            year => 2026,
            month => format!("{:02}", rng.random_range(1..4)),
        };
        t.expand(style, &ctx)
    }
}

/// Draws the identity of one scenario.
pub fn draw(t: &Templates, plan: &Plan<'_>, rng: &mut StageRng) -> Result<Identity, GenError> {
    let vocab = &t.vocab;
    let region = pick(rng, &vocab.regions).clone();
    let cluster = format!(
        "{}-{}-{}",
        pick(rng, &vocab.clusters.prefixes),
        pick(rng, &vocab.clusters.envs),
        region
            .name
            .replace('-', "")
            .replace("east", "e")
            .replace("west", "w")
            .replace("central", "c")
            .replace("southeast", "se")
    );
    let account: String = (0..12)
        .map(|i| {
            if i == 0 {
                char::from(b'1' + rng.random_range(0..9u8))
            } else {
                char::from(b'0' + rng.random_range(0..10u8))
            }
        })
        .collect();
    let namespace = pick(rng, &vocab.namespaces).clone();
    let mut services: Vec<String> = Vec::new();
    let n_services = rng.random_range(3..=5usize);
    while services.len() < n_services {
        let stem = pick(rng, &vocab.service_stems).clone();
        let name = if rng.random_bool(0.8) {
            format!("{stem}-{}", pick(rng, &vocab.service_suffixes))
        } else {
            stem
        };
        if !services.contains(&name) {
            services.push(name);
        }
    }
    let service = services[0].clone();
    let language = pick(rng, &vocab.languages).clone();
    let runtime = pick_w(rng, &t.spec.runtimes).clone();
    let runtime = if plan.has(scenario::Signal::LegacyKubeletMessages) && rng.random_bool(0.5) {
        "docker".to_owned()
    } else {
        runtime
    };
    let container = match rng.random_range(0..10) {
        0..=5 => service.clone(),
        6 => "app".to_owned(),
        7 => "main".to_owned(),
        8 => "server".to_owned(),
        _ => service.split('-').next().unwrap_or("app").to_owned(),
    };

    // Registry and image.
    let registry = match &plan.presentation.registry_kind {
        Some(k) => vocab
            .registries
            .iter()
            .find(|r| &r.kind == k)
            .unwrap_or(&vocab.registries[0])
            .clone(),
        None => pick(rng, &vocab.registries).clone(),
    };
    let org = pick(rng, &vocab.orgs).clone();
    let team = pick(rng, &vocab.teams).clone();
    let company = pick(rng, &vocab.companies).clone();
    let registry_host = t.expand(
        &registry.host,
        &minijinja::context! { account => &account, region => &region.name, company => &company },
    )?;
    let repo = if registry.org_style == "team" {
        format!("{team}/{service}")
    } else {
        format!("{org}/{service}")
    };
    let tag = Identity::make_tag(t, rng)?;
    let old_tag = Identity::make_tag(t, rng)?;
    let dockerhub = registry.kind == "dockerhub";
    let image_repo = if dockerhub {
        repo.clone()
    } else {
        format!("{registry_host}/{repo}")
    };
    let image_full_repo = if dockerhub {
        format!("docker.io/{repo}")
    } else {
        image_repo.clone()
    };
    let image = format!("{image_repo}:{tag}");
    // Where the namespace's other images live: the registry path without the repository.
    let image_repo_base = image_repo
        .rsplit_once('/')
        .map(|(a, _)| a.to_owned())
        .unwrap_or_default();
    let image_full = format!("{image_full_repo}:{tag}");
    let dep = pick(rng, &vocab.dependencies).clone();
    let dep_host = format!(
        "{}-{}.{}.svc.cluster.local",
        dep.host_stem,
        pick(rng, &["primary", "main", "0", "rw", "svc"]),
        namespace
    );
    let dep_ip = format!(
        "10.{}.{}.{}",
        rng.random_range(0..4) * 16,
        rng.random_range(0..255),
        rng.random_range(2..250)
    );
    let binary = pick(rng, &vocab.binaries).clone();
    let binary_path = format!(
        "{}/{binary}",
        pick(rng, &["/app", "/usr/local/bin", "/opt/app/bin", "/srv"])
    );
    let process = match language.as_str() {
        "java" => "java".to_owned(),
        "python" => "python3".to_owned(),
        "node" => "node".to_owned(),
        _ => binary.clone(),
    };
    let pid = rng.random_range(1200..48000i64);
    let mem_limit_mi: i64 = *pick(rng, &[256, 384, 512, 768, 1024, 1536, 2048, 4096]);
    let mem_limit = if mem_limit_mi >= 1024 && mem_limit_mi % 1024 == 0 {
        format!("{}Gi", mem_limit_mi / 1024)
    } else {
        format!("{mem_limit_mi}Mi")
    };
    let limit_kb = mem_limit_mi * 1024;
    let memory_limit = match plan.spec.memory_limit.as_deref() {
        Some("none") => None,
        Some("required") => Some(mem_limit.clone()),
        _ => rng.random_bool(0.8).then(|| mem_limit.clone()),
    };
    // A process the kernel kills for the node has grown far past any container limit.
    let rss_kb = match &memory_limit {
        None => rng.random_range(3_000_000..12_000_000i64),
        Some(_) => limit_kb - rng.random_range(200..4000),
    };
    let total_vm_kb = rss_kb + rng.random_range(400_000..3_000_000i64);
    let config_key = pick(rng, &vocab.config_keys).clone();
    let config_name = format!(
        "{service}-{}",
        pick(rng, &["config", "settings", "env", "conf"])
    );
    let secret_name = format!(
        "{service}-{}",
        pick(rng, &["secrets", "credentials", "db", "tokens", "keys"])
    );
    let addr = hex(rng, 16);
    let pc = format!("{:012x}", rng.random_range(0x40_0000u64..0x7fff_ffff_ffff));
    let dns_ip = format!("10.{}.0.2", rng.random_range(0..4) * 16);
    let workload_kind = if rng.random_range(0..100) < 88 {
        "deployment"
    } else {
        "statefulset"
    };
    let kernel_collected = rng.random_bool(0.6);
    let memory_monitor = rng.random_bool(0.7);

    let mut v = Vars::default();
    v.set("service", service.clone());
    v.set("workload", service.clone());
    v.set("namespace", namespace.clone());
    v.set("container", container.clone());
    v.set("image", image.clone());
    v.set("image_full", image_full);
    v.set("image_repo", image_repo.clone());
    v.set(
        "registry",
        if dockerhub {
            "registry-1.docker.io".to_owned()
        } else {
            registry_host.clone()
        },
    );
    v.set("repo", repo);
    v.set(
        "image_registry",
        if dockerhub {
            "docker.io".to_owned()
        } else {
            registry_host
        },
    );
    v.set("tag", tag.clone());
    v.set("language", language.clone());
    v.set("dep_kind", dep.kind);
    v.set("dep_host", dep_host);
    v.set("dep_port", i64::from(dep.port));
    v.set("dep_ip", dep_ip);
    v.set("config_key", config_key);
    v.set("config_name", config_name);
    v.set("secret_name", secret_name);
    v.set("binary", binary);
    v.set("binary_path", binary_path);
    v.set("process", process);
    v.set("pid", pid);
    v.set("mem_limit", mem_limit);
    v.set("mem_limit_kb", limit_kb);
    v.set("rss_kb", rss_kb);
    v.set("total_vm_kb", total_vm_kb);
    v.set("dns_ip", dns_ip);
    v.set("addr", addr);
    v.set("pc", pc);
    v.set("cluster", cluster.clone());
    v.set("region", region.name.clone());
    v.set("account", account.clone());
    v.set("org", org);
    v.set("registry_kind", registry.kind.clone());
    v.set(
        "pattern",
        match plan.presentation.pattern {
            Pattern::Healthy => "healthy",
            Pattern::CrashLoop => "crash_loop",
            Pattern::ConfigError => "config_error",
            Pattern::ImagePull => "image_pull",
            Pattern::InvalidImage => "invalid_image",
        },
    );

    fillers(&mut v, rng);

    Ok(Identity {
        region,
        cluster,
        account,
        namespace,
        services,
        service,
        language,
        runtime,
        container,
        registry_kind: registry.kind.clone(),
        team,
        image_repo,
        image_full_repo,
        image_repo_base,
        image,
        tag,
        old_tag,
        workload_kind,
        memory_limit,
        kernel_collected,
        memory_monitor,
        vars: v,
        also: Vec::new(),
    })
}

/// Words a filler never contains: they would read as a label (the leak scan's list).
const LOADED_WORDS: &[&str] = &["error", "fail", "bad", "broken", "crash", "leak", "oom"];

/// A lorem word that does not read as a label.
fn neutral_word(rng: &mut StageRng) -> String {
    use fake::Fake;
    use fake::faker::lorem::en::Word;
    for _ in 0..16 {
        let w: String = Word().fake_with_rng(rng);
        if !LOADED_WORDS.iter().any(|l| w.contains(l)) {
            return w;
        }
    }
    "item".to_owned()
}

/// Filler values of steady and noise lines (ids, emails, addresses, agents, paths), drawn with
/// the `fake` crate from the identity stream after every other identity value, so adding one
/// renames nothing else.
fn fillers(v: &mut Vars, rng: &mut StageRng) {
    use fake::Fake;
    use fake::faker::internet::en::{DomainSuffix, IPv4, SafeEmail, UserAgent};
    use fake::faker::number::en::NumberWithFormat;
    let user_id: String = NumberWithFormat("^#######").fake_with_rng(rng);
    let order_id: String = NumberWithFormat("^#########").fake_with_rng(rng);
    let email: String = SafeEmail().fake_with_rng(rng);
    let client_ip: String = IPv4().fake_with_rng(rng);
    let user_agent: String = UserAgent().fake_with_rng(rng);
    let suffix: String = DomainSuffix().fake_with_rng(rng);
    let url = format!(
        "https://www.{}.{suffix}/{}",
        neutral_word(rng),
        neutral_word(rng)
    );
    let item: String = NumberWithFormat("^####").fake_with_rng(rng);
    let request_path = format!("/v1/{}/{item}", neutral_word(rng));
    v.set("user_id", user_id);
    v.set("order_id", order_id);
    v.set("email", email);
    v.set("client_ip", client_ip);
    v.set("user_agent", user_agent);
    v.set("url", url);
    v.set("request_path", request_path);
    v.set("trace_id", hex(rng, 32));
    v.set("request_id", hex(rng, 16));
}
