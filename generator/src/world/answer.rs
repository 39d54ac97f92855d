//! Stage 10, the answer: the reference answer's text (root cause, validated and non-validated
//! claims, causal chain, required keywords) rendered from the cause's spec with the world's
//! variables, and the other root causes the rendered evidence cannot be told from (the `also`
//! of the variants the scenario drew: `answer.yml` `acceptable_root_causes`).

use scenario::RootCause;

use crate::GenError;
use crate::spec::Templates;

use super::identity::Identity;
use super::plan::Plan;
use super::types::AnswerText;

/// Renders the answer text of the plan's cause.
pub fn render(t: &Templates, plan: &Plan<'_>, id: &mut Identity) -> Result<AnswerText, GenError> {
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
    Ok(AnswerText {
        acceptable_root_causes: acceptable.iter().map(ToString::to_string).collect(),
        root_cause: id.vars.expand(t, &spec.root_cause)?,
        claims,
        non_validated,
        chain,
        keywords,
    })
}
