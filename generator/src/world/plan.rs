//! Stage 1, the plan: which root cause (by the mix), which difficulty tier, which of the
//! cause's presentations, and which adversarial signals the tier draws. Everything later is a
//! consequence of these choices.

use scenario::{FailureMode, RootCause, Signal};

use crate::GenError;
use crate::spec::{CauseSpec, Presentation, SPEC_FILE, Templates};

use super::rng::{StageRng, weighted_index};
use super::types::Mix;

/// The choices every later stage follows.
#[derive(Clone, Debug)]
pub struct Plan<'t> {
    /// The ground-truth cause.
    pub cause: RootCause,
    /// Its spec.
    pub spec: &'t CauseSpec,
    /// Its mode.
    pub mode: FailureMode,
    /// Difficulty tier 0..=3.
    pub tier: u8,
    /// How the cause shows itself.
    pub presentation: &'t Presentation,
    /// Signals drawn for the tier (plus the presentation's own); stages add what they imply.
    pub signals: Vec<Signal>,
}

impl<'t> Plan<'t> {
    /// Whether the scenario carries this signal.
    pub fn has(&self, s: Signal) -> bool {
        self.signals.contains(&s)
    }

    /// The counterfactual twin of this plan: the same tier and signals (those that apply to
    /// the partner), the partner's presentation of the same pattern, the partner cause.
    pub fn twin(&self, t: &'t Templates, partner: RootCause) -> Result<Plan<'t>, GenError> {
        let spec = t.cause(partner).ok_or_else(|| GenError::Spec {
            file: t.dir.join(SPEC_FILE).display().to_string(),
            field: format!("twins (cause {partner})"),
            message: "the twin's cause is not defined".into(),
        })?;
        let presentation = spec
            .presentations
            .iter()
            .find(|p| p.pattern == self.presentation.pattern)
            .unwrap_or(&spec.presentations[0]);
        let own = self
            .presentation
            .signal
            .as_deref()
            .and_then(|s| Signal::parse(s).ok());
        let mut signals: Vec<Signal> = self
            .signals
            .iter()
            .copied()
            .filter(|s| Some(*s) != own)
            .filter(|s| {
                t.spec
                    .signals
                    .get(s.as_str())
                    .is_some_and(|r| r.applies_to(partner.as_str()))
            })
            .collect();
        if let Some(s) = presentation
            .signal
            .as_deref()
            .and_then(|s| Signal::parse(s).ok())
        {
            signals.push(s);
        }
        Ok(Plan {
            cause: partner,
            spec,
            mode: partner.mode(),
            tier: self.tier,
            presentation,
            signals,
        })
    }
}

impl<'t> Plan<'t> {
    /// The plan of a neighbour's failure (`unrelated_failing_workload`): `cause` in one of its
    /// presentations, at tier 0 with no adversarial signal, so its evidence is as plain as a
    /// failure's can be.
    pub fn neighbour(
        t: &'t Templates,
        cause: RootCause,
        rng: &mut StageRng,
    ) -> Result<Plan<'t>, GenError> {
        let spec = t.cause(cause).ok_or_else(|| GenError::Spec {
            file: t.dir.join(SPEC_FILE).display().to_string(),
            field: format!("causes.{cause}"),
            message: "the neighbour's cause is not defined".into(),
        })?;
        let presentation =
            &spec.presentations[weighted_index(rng, spec.presentations.iter().map(|p| p.weight))];
        let signals = presentation
            .signal
            .as_deref()
            .and_then(|s| Signal::parse(s).ok())
            .into_iter()
            .collect();
        Ok(Plan {
            cause,
            spec,
            mode: cause.mode(),
            tier: 0,
            presentation,
            signals,
        })
    }
}

/// Draws the plan of one scenario.
pub fn draw<'t>(t: &'t Templates, mix: &Mix, rng: &mut StageRng) -> Result<Plan<'t>, GenError> {
    let cause = mix.0[weighted_index(rng, mix.0.iter().map(|(_, w)| *w))].0;
    let spec = t.cause(cause).ok_or_else(|| GenError::Spec {
        file: t.dir.join(SPEC_FILE).display().to_string(),
        field: format!("causes.{cause}"),
        message: "the mix asks for this cause but the spec does not define it".into(),
    })?;
    let tier = weighted_index(rng, t.spec.difficulty_weights.iter().copied()) as u8;
    let presentation =
        &spec.presentations[weighted_index(rng, spec.presentations.iter().map(|p| p.weight))];
    let want = t.spec.signals_per_tier[usize::from(tier)] as usize;
    let mut eligible: Vec<(Signal, u32)> = t
        .spec
        .signals
        .iter()
        .filter(|(_, r)| r.min_tier <= tier && r.weight > 0 && r.applies_to(cause.as_str()))
        .filter_map(|(n, r)| Signal::parse(n).ok().map(|s| (s, r.weight)))
        .collect();
    let mut signals = Vec::new();
    for _ in 0..want {
        if eligible.is_empty() {
            break;
        }
        let i = weighted_index(rng, eligible.iter().map(|(_, w)| *w));
        signals.push(eligible.remove(i).0);
    }
    if let Some(s) = &presentation.signal {
        signals.push(Signal::parse(s).map_err(|e| GenError::Spec {
            file: t.dir.join(SPEC_FILE).display().to_string(),
            field: format!("causes.{cause}.presentations.signal"),
            message: e.to_string(),
        })?);
    }
    Ok(Plan {
        cause,
        spec,
        mode: cause.mode(),
        tier,
        presentation,
        signals,
    })
}
