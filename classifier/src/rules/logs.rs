//! Log lines about the workload (`eks_pod_logs.json`, Datadog logs, alerting monitors'
//! messages) and what a line says about why a process exits ([`Hint`]): missing configuration,
//! a dependency refusing connections, an exec failure, a segfault, an OOM; whether it reads
//! like the end of a process or names an application bug; an exit code named in text.

use scenario::RootCause;
use scenario::files::{DatadogLog, DatadogMonitor};

use super::events::missing_object;
use super::explain::quote;
use super::target::View;
use super::verdict::{Verdict, rank};

/// A line of log or monitor text about the workload, with where it came from.
#[derive(Debug)]
pub(super) struct Text<'a> {
    pub(super) origin: Origin<'a>,
    pub(super) line: &'a str,
    pub(super) lower: String,
    /// What the line says about an exit, computed once.
    pub(super) hint: Option<Hint>,
    /// Reads like the end of a process.
    pub(super) fatal: bool,
    /// Names an application bug (a panic, a stack trace).
    pub(super) crash: bool,
}

/// Where a [`Text`] came from, for its citation.
#[derive(Debug)]
pub(super) enum Origin<'a> {
    PodLogs(&'a str),
    Datadog(usize),
    Monitor(&'a DatadogMonitor),
}

impl<'a> Text<'a> {
    pub(super) fn new(origin: Origin<'a>, line: &'a str) -> Self {
        let lower = line.to_lowercase();
        let hint = text_hint(&lower).or_else(|| env_key_error(line).then_some(Hint::MissingConfig));
        Text {
            origin,
            line,
            hint,
            // A segfault or a kill ends the process whatever words the line uses.
            fatal: is_fatal(&lower) || matches!(hint, Some(Hint::Segfault | Hint::Oom)),
            crash: is_crash_line(&lower),
            lower,
        }
    }

    /// `eks_pod_logs.json logs[pod]: "..."`, `datadog_logs.json logs[3]: "..."`, ...
    pub(super) fn cite(&self) -> String {
        match self.origin {
            Origin::PodLogs(pod) => format!("eks_pod_logs.json logs[{pod}]: {}", quote(self.line)),
            Origin::Datadog(i) => format!("datadog_logs.json logs[{i}]: {}", quote(self.line)),
            Origin::Monitor(m) => format!(
                "datadog_monitors.json monitors[{} \"{}\"] {}: {}",
                m.id_label(),
                m.name,
                m.overall_state,
                quote(self.line)
            ),
        }
    }
}

/// What a piece of text says about why a container exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Hint {
    Dependency,
    MissingConfig,
    CommandNotFound,
    PermissionDenied,
    Segfault,
    Oom,
}

impl Hint {
    pub(super) fn cause(self) -> RootCause {
        match self {
            Hint::Dependency => RootCause::DependencyUnavailable,
            Hint::MissingConfig => RootCause::MissingConfig,
            Hint::CommandNotFound => RootCause::CommandNotFound,
            Hint::PermissionDenied => RootCause::PermissionDenied,
            Hint::Segfault => RootCause::Segfault,
            Hint::Oom => RootCause::ContainerOom,
        }
    }
}

impl<'a> View<'a> {
    pub(super) fn texts(&self) -> &[Text<'a>] {
        self.texts.get_or_init(|| self.collect_texts())
    }

    /// Pod logs of the workload's pods, Datadog logs about the workload, and monitors in an
    /// alerting state that name it.
    pub(super) fn collect_texts(&self) -> Vec<Text<'a>> {
        let mut texts = Vec::new();
        let ev = &self.case.evidence;
        if let Some(logs) = ev.pod_logs() {
            let ours = self.pod_names.contains(&logs.pod_name)
                || (self.pod_names.is_empty() && logs.pod_name.starts_with(self.workload));
            if ours && (logs.namespace.is_empty() || logs.namespace == self.ns) {
                for line in logs.logs.lines().filter(|l| !l.trim().is_empty()) {
                    texts.push(Text::new(Origin::PodLogs(&logs.pod_name), line));
                }
            }
        }
        for (i, log) in self.datadog.iter().enumerate() {
            if self.datadog_about_us(log) {
                texts.push(Text::new(Origin::Datadog(i), &log.message));
            }
        }
        self.monitor_texts(&mut texts);
        texts
    }

    /// Whether a Datadog log record is about the alerted workload: its namespace tag does not
    /// contradict, and it names the workload or one of its pods, or names no workload at all.
    pub(super) fn datadog_about_us(&self, log: &DatadogLog) -> bool {
        let mut identified = false;
        for tag in &log.tags {
            let Some((key, value)) = tag.split_once(':') else {
                continue;
            };
            match key {
                "kube_namespace" | "namespace" if value != self.ns => return false,
                "kube_deployment" | "kube_statefulset" | "kube_daemonset" | "kube_job"
                | "kube_cronjob" | "kube_replica_set" | "kube_service" | "service" | "app" => {
                    if value == self.workload || value.starts_with(&format!("{}-", self.workload)) {
                        return true;
                    }
                    identified = true;
                }
                "pod_name" | "kube_pod" | "pod" => {
                    if self.pod_names.iter().any(|p| p == value) {
                        return true;
                    }
                    identified = true;
                }
                _ => {}
            }
        }
        if let Some(service) = log.service.as_deref().filter(|s| !s.is_empty()) {
            if service == self.workload
                || self.workload.starts_with(service)
                || service.starts_with(self.workload)
            {
                return true;
            }
            identified = true;
        }
        if self
            .pod_names
            .iter()
            .any(|p| log.message.contains(p.as_str()))
        {
            return true;
        }
        !identified
    }

    /// Neither pods nor pod events: a crash reason in the workload's logs, weakly.
    pub(super) fn judge_logs_only(&self) -> Option<Verdict> {
        let fatal = self
            .texts()
            .iter()
            .rev()
            .find(|t| t.fatal && t.hint.is_some())?;
        let h = fatal.hint?;
        let mut v = Verdict::cause(h.cause(), 0.35, rank::LOGS_ONLY).cite([cite_text(fatal)]);
        v.pod = self.pod_names.first().cloned();
        v.cites
            .push("no pod state or pod events: judged from logs only".into());
        Some(v)
    }
}

/// What a (lowercased) line says about why a process exits.
pub(super) fn text_hint(t: &str) -> Option<Hint> {
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if any(&[
        "out of memory: kill",
        "memory cgroup out of memory",
        "oom-kill",
        "oomkilled",
        "oom_kill",
        "outofmemoryerror",
        "cannot allocate memory",
        "memory allocation fail",
        "runtime: out of memory",
        "allocation failed - javascript heap out of memory",
    ]) {
        return Some(Hint::Oom);
    }
    if any(&[
        "segmentation fault",
        "sigsegv",
        "signal 11",
        "segfault",
        "core dumped",
    ]) {
        return Some(Hint::Segfault);
    }
    if any(&[
        "exec format error",
        "permission denied",
        "operation not permitted",
        "eacces",
    ]) && !any(&["password authentication", "access denied for user"])
    {
        return Some(Hint::PermissionDenied);
    }
    // A shell that cannot find the command it was told to run: dash writes
    // `sh: 1: exec: /srv/main: not found`, busybox `/bin/sh: entrypoint: not found`, bash
    // `bash: line 1: main: command not found` (caught below).
    let shell_not_found = t.trim_end().ends_with(": not found")
        && ["sh: ", "/bin/sh: ", "bash: ", "/bin/bash: "]
            .iter()
            .any(|p| t.trim_start().starts_with(p));
    if shell_not_found {
        return Some(Hint::CommandNotFound);
    }
    if any(&[
        "executable file not found",
        "command not found",
        "not found in $path",
        "no such file or directory",
    ]) && any(&["exec", "command", "entrypoint", "$path", "/bin/", "sh:"])
        && !any(&[
            "config",
            ".yaml",
            ".yml",
            ".json",
            ".conf",
            ".env",
            ".properties",
            ".toml",
            ".ini",
        ])
    {
        return Some(Hint::CommandNotFound);
    }
    // Configuration that is not there: a config noun and a missing-word in the same line.
    let config_noun = any(&[
        "environment variable",
        "env var",
        "config",
        "setting",
        "secret",
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".properties",
        ".env",
    ]);
    let missing_word = any(&[
        "not set",
        "missing",
        "not found",
        "no such file",
        "undefined",
        "must be set",
        "is required",
        "is empty",
        "not defined",
    ]);
    if missing_object(t) || (config_noun && missing_word) {
        return Some(Hint::MissingConfig);
    }
    let refused = any(&[
        "connection refused",
        "econnrefused",
        "could not connect",
        "couldn't connect",
        "failed to connect",
        "unable to connect",
        "connect: connection",
        "no route to host",
        "connection timed out",
        "name or service not known",
        "temporary failure in name resolution",
        "server closed the connection",
        "dial tcp",
        "is the server running",
        // Prisma's P1001: "Can't reach database server at `host`:`port`", then "Please make
        // sure your database server is running at ...".
        "can't reach database server",
        "database server is running at",
    ]);
    // A connection that timed out rather than being refused: the JDK's
    // `SocketTimeoutException: Connect timed out`, HikariCP's `Connection is not available,
    // request timed out after 30000ms`, sqlx's `pool timed out while waiting for an open
    // connection`, Go's `dial tcp ...: i/o timeout` (REALISM), and wait-for-it.sh's
    // `timeout occurred after waiting 30 seconds for host:port` (it waits for a TCP port to
    // accept connections, so its timeout is the dependency not answering).
    let timed_out =
        any(&["timed out", "i/o timeout", "timeout expired"]) && any(&["connect", "pool"]);
    if refused || timed_out || t.contains("timeout occurred after waiting") {
        return Some(Hint::Dependency);
    }
    None
}

/// Python's `KeyError: 'DATABASE_URL'`: a lookup of an environment-style name (upper case,
/// digits, underscores) that is not there.
pub(super) fn env_key_error(line: &str) -> bool {
    line.match_indices("KeyError: ").any(|(i, m)| {
        let rest = line[i + m.len()..].trim_start_matches(['\'', '"']);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        name.len() >= 3 && name.chars().any(|c| c.is_ascii_uppercase())
    })
}

/// A line that reads like the end of a process: fatal, panic, traceback, exiting.
pub(super) fn is_fatal(t: &str) -> bool {
    [
        "fatal",
        "panic",
        "traceback",
        "exiting",
        "exited",
        "exit code",
        "exit status",
        "crash",
        "unhandled",
        "uncaught",
        "critical",
        "shutting down",
        "failed to start",
        "startup failed",
        "cannot start",
        "error:",
        "\"level\":\"error\"",
        "level=error",
        " error ",
        "[error]",
        "error ",
        "aborted",
        "killed",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// A fatal line naming an application bug rather than its environment.
pub(super) fn is_crash_line(t: &str) -> bool {
    [
        "panic",
        "traceback",
        "unhandled",
        "uncaught",
        "nil pointer",
        "null pointer",
        "nullpointerexception",
        "index out of range",
        "assertion",
        "stack trace",
        "typeerror",
        "attributeerror",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// The largest `NN%` in a text (0 if none).
pub(super) fn max_percent(t: &str) -> u32 {
    t.match_indices('%')
        .filter_map(|(i, _)| {
            let digits: String = t[..i]
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.chars().rev().collect::<String>().parse::<u32>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// The first exit code named in a (lowercased) text.
pub(super) fn find_exit_code(t: &str) -> Option<i32> {
    for key in [
        "exit code",
        "exitcode",
        "exit_code",
        "exited with code",
        "exit status",
        "exited with status",
    ] {
        for (i, _) in t.match_indices(key) {
            let rest = t[i + key.len()..].trim_start_matches([' ', ':', '=', '"', '\'']);
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(code) = digits.parse::<i32>()
                && (0..=255).contains(&code)
            {
                return Some(code);
            }
        }
    }
    None
}

pub(super) fn cite_text(t: &Text<'_>) -> String {
    t.cite()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_read_from_text() {
        assert_eq!(
            find_exit_code("container api exited with code 137"),
            Some(137)
        );
        assert_eq!(find_exit_code("laststate: exitcode: 1"), Some(1));
        assert_eq!(find_exit_code("exit_code=139 reason=error"), Some(139));
        assert_eq!(find_exit_code("no code here"), None);
    }
}
