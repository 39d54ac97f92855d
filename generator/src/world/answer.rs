//! Stage 10, the answer: the reference answer's text (root cause, validated and non-validated
//! claims, causal chain, required keywords) rendered from the cause's spec with the world's
//! variables, and the other root causes the rendered evidence cannot be told from (the `also`
//! of the variants the scenario drew: `answer.yml` `acceptable_root_causes`), and the
//! investigation OpenSRE's answer format scores (`optimal_trajectory`, `max_investigation_loops`,
//! `required_evidence_sources`: [`investigation`]).

use scenario::RootCause;

use crate::GenError;
use crate::spec::{Pattern, Templates};

use super::identity::Identity;
use super::plan::Plan;
use super::types::{AnswerText, Sources};

/// Renders the answer text of the plan's cause.
pub fn render(
    t: &Templates,
    plan: &Plan<'_>,
    id: &mut Identity,
    sources: &Sources,
) -> Result<AnswerText, GenError> {
    let spec = plan.spec;
    let mut keywords = Vec::new();
    for k in &spec.keywords {
        let k = id.vars.expand(t, k)?;
        if !k.trim().is_empty() && !keywords.contains(&k) {
            keywords.push(k);
        }
    }
    let mut all = |list: &[String]| -> Result<Vec<String>, GenError> {
        list.iter().map(|c| id.vars.expand(t, c)).collect()
    };
    let claims = all(&spec.claims)?;
    let non_validated = all(&spec.non_validated)?;
    let chain = all(&spec.chain)?;
    let mut acceptable: Vec<RootCause> = id
        .also
        .iter()
        .copied()
        .filter(|c| *c != plan.cause)
        .collect();
    acceptable.sort();
    acceptable.dedup();
    let (trajectory, evidence_sources) =
        investigation(plan.presentation.pattern, plan.spec.node_pressure, sources);
    Ok(AnswerText {
        trajectory,
        evidence_sources,
        max_loops: MAX_LOOPS,
        acceptable_root_causes: acceptable.iter().map(ToString::to_string).collect(),
        root_cause: id.vars.expand(t, &spec.root_cause)?,
        claims,
        non_validated,
        chain,
        keywords,
    })
}

/// `max_investigation_loops`: 3, the value of every Kubernetes scenario of OpenSRE's own suite
/// (`tests/synthetic/eks/*/answer.yml`: 002, 004, 010, 012, 013 read).
pub const MAX_LOOPS: u32 = 3;

/// The investigation the CrashLoopBackOff SOP (`seeds/003`) prescribes for what the scenario
/// shows, as OpenSRE's trajectory actions, and the evidence sources it must have gathered.
///
/// From the SOP and Kubernetes, never from the classifiers: step 1 lists the pods and reads the
/// pod's state, step 2 its events (every scenario); step 3 the previous container's logs "if
/// available", i.e. only for a container that ran and terminated (the crash-loop pattern: a
/// container that was never created, for a pull or config error, has no logs); a cause
/// that comes from the node (a node under memory pressure) needs the node's conditions
/// (step 4, the node). An action is listed only where the scenario lists its source (OpenSRE's
/// tools exist only for listed sources); a source is required only where it answers (a failing
/// tool cannot be gathered).
pub fn investigation(
    pattern: Pattern,
    node_pressure: bool,
    sources: &Sources,
) -> (Vec<String>, Vec<String>) {
    let mut steps = vec![
        ("list_eks_pods", "eks_pods", &sources.eks_pods),
        ("get_eks_events", "eks_events", &sources.eks_events),
    ];
    if pattern == Pattern::CrashLoop {
        steps.push(("get_eks_pod_logs", "eks_pod_logs", &sources.eks_pod_logs));
    }
    if node_pressure {
        steps.push((
            "get_eks_node_health",
            "eks_node_health",
            &sources.eks_node_health,
        ));
    }
    let listed = || steps.iter().filter(|(_, _, s)| s.listed);
    let trajectory = listed().map(|(a, _, _)| (*a).to_owned()).collect();
    let required = listed()
        .filter(|(_, _, s)| s.error.is_none())
        .map(|(_, k, _)| (*k).to_owned())
        .collect();
    (trajectory, required)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sop_decides_the_investigation() {
        let all = Sources::all_ok();
        let (t, r) = investigation(Pattern::CrashLoop, false, &all);
        assert_eq!(t, ["list_eks_pods", "get_eks_events", "get_eks_pod_logs"]);
        assert_eq!(r, ["eks_pods", "eks_events", "eks_pod_logs"]);
        let (t, _) = investigation(Pattern::CrashLoop, true, &all);
        assert_eq!(t.last().map(String::as_str), Some("get_eks_node_health"));
        let (t, _) = investigation(Pattern::ImagePull, false, &all);
        assert_eq!(t, ["list_eks_pods", "get_eks_events"]);
        let (t, _) = investigation(Pattern::Healthy, false, &all);
        assert_eq!(t, ["list_eks_pods", "get_eks_events"]);

        // A failing source stays in the trajectory but is not required; an unlisted one is in
        // neither.
        let mut some = Sources::all_ok();
        some.eks_events.error = Some(super::super::types::Failure::Kube {
            code: 403,
            reason: "Forbidden".into(),
            message: "events is forbidden".into(),
            resource: "events".into(),
        });
        some.eks_pod_logs.listed = false;
        let (t, r) = investigation(Pattern::CrashLoop, false, &some);
        assert_eq!(t, ["list_eks_pods", "get_eks_events"]);
        assert_eq!(r, ["eks_pods"]);
    }
}
