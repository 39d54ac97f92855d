//! Why a container exits: the exit code and state reason first (137 with and without
//! `OOMKilled`, 126, 127, 128 `StartError`, 139, 143), then the node (a kernel or cgroup OOM
//! kill), the events (a liveness kill) and the workload's logs and monitors for the cause of an
//! application exit.

use scenario::files::{ConditionStatus, ContainerStatus, Event, Pod};
use scenario::{Category, FailureMode, RootCause};

use super::events::is_liveness_kill;
use super::explain::{cite_event, quote};
use super::logs::{Hint, Text, cite_text, find_exit_code, text_hint};
use super::target::View;
use super::verdict::Verdict;

impl<'a> View<'a> {
    /// The cause of a container that exits: exit code and reason first, then node, events, logs.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call shape for every crash path"
    )]
    pub(super) fn crash(
        &self,
        pod: &Pod,
        c: &ContainerStatus,
        code: Option<i32>,
        reason: &str,
        message: &str,
        events: &[&'a Event],
        mut cites: Vec<String>,
        rank: u8,
    ) -> Verdict {
        let at =
            |v: Verdict, cites: Vec<String>| v.at(&pod.name, Some(&c.name)).code(code).cite(cites);
        let node_oom = self.node_oom(pod);
        let liveness = events
            .iter()
            .copied()
            .find(|e| is_liveness_kill(e, &c.name));
        let start_text = message.to_lowercase();
        let hint = self.hint(&start_text, events);

        if reason.eq_ignore_ascii_case("OOMKilled") {
            return match node_oom {
                Some(node) => {
                    cites.extend(node);
                    at(Verdict::cause(RootCause::NodeOom, 0.85, rank), cites)
                }
                None => {
                    // Without a kernel line of either kind, the node's MemoryPressure tells
                    // the killer: a container at its own cgroup limit does not drain the
                    // node's memory, a node short of memory is what the kernel's global OOM
                    // killer answers. A cgroup kill line or the container's memory at its limit
                    // outweighs it; so does a kernel log that Datadog collects and that shows
                    // no global kill.
                    if let Some(cite) = self.cgroup_oom(pod).or_else(|| self.memory_at_limit()) {
                        cites.push(cite);
                    } else if !self.kernel_log_collected()
                        && let Some(n) = self.node(pod.node_name.as_deref())
                        && n.memory_pressure == ConditionStatus::True
                    {
                        cites.push(format!(
                            "eks_node_health.json nodes[{}]: memory_pressure=True on the pod's node, nothing puts the container at its own limit, and Datadog has no kernel log to tell the killer: the node ran out of memory",
                            n.name
                        ));
                        return at(Verdict::cause(RootCause::NodeOom, 0.6, rank), cites);
                    } else {
                        cites.extend(self.memory_pressure_note(pod));
                    }
                    at(Verdict::cause(RootCause::ContainerOom, 0.92, rank), cites)
                }
            };
        }
        let start_error = matches!(reason, "StartError" | "ContainerCannotRun");
        match code {
            Some(137) => {
                if let Some(node) = node_oom {
                    cites.extend(node);
                    return at(Verdict::cause(RootCause::NodeOom, 0.8, rank), cites);
                }
                if let Some(e) = liveness {
                    cites.push(cite_event(e));
                    cites.push("137 is SIGKILL after a failed liveness probe, not an OOM".into());
                    return at(
                        Verdict::mode(
                            FailureMode::ProbeFailure,
                            Category::ConfigurationError,
                            0.65,
                            rank,
                        ),
                        cites,
                    );
                }
                if let Some(cite) = self.cgroup_oom(pod) {
                    cites.push(cite);
                    return at(Verdict::cause(RootCause::ContainerOom, 0.7, rank), cites);
                }
                // A SIGKILL that no probe asked for, on a node that reports MemoryPressure,
                // is the kernel's OOM killer at node level (the kubelet's own evictions end
                // a pod with reason Evicted, not a container with 137).
                if let Some(n) = self.node(pod.node_name.as_deref())
                    && n.memory_pressure == ConditionStatus::True
                {
                    cites.push(format!(
                        "eks_node_health.json nodes[{}]: memory_pressure=True, and no liveness kill: 137 is the kernel's OOM killer",
                        n.name
                    ));
                    return at(Verdict::cause(RootCause::NodeOom, 0.55, rank), cites);
                }
                if let Some((Hint::Oom, cite)) = &hint {
                    cites.push(cite.clone());
                    return at(Verdict::cause(RootCause::ContainerOom, 0.6, rank), cites);
                }
                cites.push(
                    "137 without OOMKilled is a SIGKILL of unknown origin, not evidence of OOM"
                        .into(),
                );
                return at(
                    Verdict::mode(FailureMode::CrashloopBackoff, Category::Unknown, 0.35, rank),
                    cites,
                );
            }
            Some(139) => {
                cites.push("exit 139 = SIGSEGV".into());
                cites.extend(hint.filter(|h| h.0 == Hint::Segfault).map(|h| h.1));
                return at(Verdict::cause(RootCause::Segfault, 0.85, rank), cites);
            }
            Some(126) => {
                cites.push("exit 126 = found but not executable".into());
                cites.extend(hint.map(|h| h.1));
                return at(
                    Verdict::cause(RootCause::PermissionDenied, 0.85, rank),
                    cites,
                );
            }
            Some(127) => {
                cites.push("exit 127 = command not found".into());
                cites.extend(hint.map(|h| h.1));
                return at(
                    Verdict::cause(RootCause::CommandNotFound, 0.85, rank),
                    cites,
                );
            }
            Some(143) => {
                if let Some(e) = liveness {
                    cites.push(cite_event(e));
                    return at(
                        Verdict::mode(
                            FailureMode::ProbeFailure,
                            Category::ConfigurationError,
                            0.6,
                            rank,
                        ),
                        cites,
                    );
                }
                cites.push("exit 143 = SIGTERM: something stops the container".into());
                return at(
                    Verdict::mode(FailureMode::CrashloopBackoff, Category::Unknown, 0.35, rank),
                    cites,
                );
            }
            _ => {}
        }
        if start_error || code == Some(128) {
            let cause = match &hint {
                Some((Hint::PermissionDenied, _)) => RootCause::PermissionDenied,
                _ => RootCause::CommandNotFound,
            };
            cites.push(format!(
                "{} = the runtime could not start the entrypoint",
                if start_error { reason } else { "exit 128" }
            ));
            cites.extend(hint.map(|h| h.1));
            return at(Verdict::cause(cause, 0.8, rank), cites);
        }
        // Exit 1/2/3/255/0/other, or no code at all: the text decides.
        let known_code = code.is_some();
        if !known_code && let Some(node) = &node_oom {
            // No exit code in sight (the tool drops lastState), but the kernel OOM killer fired
            // on this pod's node: the SOP's node-level OOM.
            let pressure = self
                .node(pod.node_name.as_deref())
                .is_some_and(|n| n.memory_pressure == ConditionStatus::True);
            cites.extend(node.iter().cloned());
            return at(
                Verdict::cause(RootCause::NodeOom, if pressure { 0.7 } else { 0.55 }, rank),
                cites,
            );
        }
        if !known_code
            && node_oom.is_none()
            && let Some(cite) = self.cgroup_oom(pod)
        {
            cites.push(cite);
            return at(Verdict::cause(RootCause::ContainerOom, 0.55, rank), cites);
        }
        match hint {
            Some((Hint::Oom, cite)) if !known_code => {
                cites.push(cite);
                let cause = if node_oom.is_some() {
                    RootCause::NodeOom
                } else {
                    RootCause::ContainerOom
                };
                cites.extend(node_oom.into_iter().flatten());
                at(Verdict::cause(cause, 0.6, rank), cites)
            }
            Some((Hint::Segfault, cite)) if !known_code => {
                cites.push(cite);
                at(Verdict::cause(RootCause::Segfault, 0.6, rank), cites)
            }
            Some((Hint::Oom | Hint::Segfault, _)) | None => {
                if let Some(e) = liveness {
                    cites.push(cite_event(e));
                    return at(
                        Verdict::mode(
                            FailureMode::ProbeFailure,
                            Category::ConfigurationError,
                            0.55,
                            rank,
                        ),
                        cites,
                    );
                }
                if !known_code
                    && !self.texts().iter().any(|t| t.crash)
                    && let Some(cite) = self.memory_at_limit()
                {
                    // No exit code, no error in the logs (they stop mid-flow), and memory at
                    // the container's limit: the SOP's container-level OOM, weakly.
                    cites.push(cite);
                    return at(Verdict::cause(RootCause::ContainerOom, 0.45, rank), cites);
                }
                let confidence = if known_code { 0.7 } else { 0.5 };
                if let Some(line) = self.last_fatal_line() {
                    cites.push(line);
                }
                at(Verdict::cause(RootCause::AppError, confidence, rank), cites)
            }
            Some((h, cite)) => {
                cites.push(cite);
                at(
                    Verdict::cause(h.cause(), if known_code { 0.75 } else { 0.6 }, rank),
                    cites,
                )
            }
        }
    }

    /// The strongest reason in the container's start message, its events and the workload's logs.
    /// The last fatal-looking line of a log decides over earlier warnings.
    pub(super) fn hint(&self, start_text: &str, events: &[&'a Event]) -> Option<(Hint, String)> {
        if let Some(h) = text_hint(start_text) {
            return Some((h, format!("container state message {}", quote(start_text))));
        }
        for e in events {
            let lower = e.message.to_lowercase();
            if (e.reason == "Failed"
                || e.reason == "FailedMount"
                || e.reason == "FailedCreatePodContainer")
                && let Some(h) = text_hint(&lower)
            {
                return Some((h, cite_event(e)));
            }
        }
        // Kernel OOM lines about the workload's process (node logs shipped to Datadog).
        let mut found: Option<(Hint, String)> = None;
        let fatal: Vec<&Text<'a>> = self.texts().iter().filter(|t| t.fatal).collect();
        if let Some(t) = fatal.iter().rev().find(|t| t.hint.is_some()) {
            let h = t.hint?;
            // A fatal line with its own unrecognised cause (a panic, a stack trace) after the
            // hint wins: the hint was a warning on the way.
            let last = fatal.last().copied();
            if last.is_some_and(|l| std::ptr::eq(l, *t) || l.hint.is_some() || !l.crash) {
                found = Some((h, cite_text(t)));
            }
        }
        if found.is_none() {
            let mut best: Option<(Hint, &Text<'a>)> = None;
            for t in self.texts() {
                if let Some(h) = t.hint
                    && best.as_ref().is_none_or(|(b, _)| h > *b)
                {
                    best = Some((h, t));
                }
            }
            if fatal.iter().all(|l| !l.crash) {
                found = best.map(|(h, t)| (h, cite_text(t)));
            }
        }
        found
    }

    pub(super) fn last_fatal_line(&self) -> Option<String> {
        self.texts().iter().rev().find(|t| t.fatal).map(cite_text)
    }

    /// An exit code read from events or logs (`exit code 137`, `exitCode: 1`, `exited with code 3`).
    pub(super) fn code_from_text(&self, events: &[&Event], cites: &mut Vec<String>) -> Option<i32> {
        for e in events {
            if let Some(code) = find_exit_code(&e.message.to_lowercase()) {
                cites.push(cite_event(e));
                return Some(code);
            }
        }
        for t in self.texts() {
            if let Some(code) = find_exit_code(&t.lower) {
                cites.push(cite_text(t));
                return Some(code);
            }
        }
        None
    }
}
