//! What a rule concludes ([`Verdict`]: labels, localization, confidence, citations) and how
//! strong the finding is ([`rank`]): the strongest finding about the workload wins.

use scenario::{Category, FailureMode, RootCause};

/// What the rules concluded, with the evidence it rests on.
#[derive(Clone, Debug)]
pub(super) struct Verdict {
    pub(super) mode: FailureMode,
    pub(super) category: Category,
    pub(super) cause: RootCause,
    pub(super) exit_code: Option<i32>,
    pub(super) pod: Option<String>,
    pub(super) container: Option<String>,
    pub(super) confidence: f64,
    /// Strength of the finding; the strongest finding about the workload wins.
    pub(super) rank: u8,
    pub(super) cites: Vec<String>,
}

/// Finding strengths, weakest first.
pub(super) mod rank {
    pub const HEALTHY: u8 = 0;
    pub const LOGS_ONLY: u8 = 1;
    pub const EVENTS_ONLY: u8 = 2;
    pub const POD_LEVEL: u8 = 3;
    pub const BETWEEN_RESTARTS: u8 = 4;
    pub const STATE: u8 = 5;
}

impl Verdict {
    /// A verdict for a taxonomy cause (mode and category follow from it).
    pub(super) fn cause(cause: RootCause, confidence: f64, rank: u8) -> Self {
        let info = cause.info();
        Verdict {
            cause,
            ..Verdict::mode(info.mode, info.category, confidence, rank)
        }
    }

    /// A verdict for a mode the taxonomy has no fine cause for (later families), or a crash whose
    /// cause could not be told.
    pub(super) fn mode(mode: FailureMode, category: Category, confidence: f64, rank: u8) -> Self {
        Verdict {
            mode,
            category,
            cause: RootCause::Unknown,
            exit_code: None,
            pod: None,
            container: None,
            confidence,
            rank,
            cites: Vec::new(),
        }
    }

    pub(super) fn healthy(confidence: f64) -> Self {
        Verdict::cause(RootCause::None, confidence, rank::HEALTHY)
    }

    pub(super) fn at(mut self, pod: &str, container: Option<&str>) -> Self {
        self.pod = Some(pod.to_owned());
        self.container = container.map(str::to_owned);
        self
    }

    pub(super) fn code(mut self, code: Option<i32>) -> Self {
        self.exit_code = code;
        self
    }

    pub(super) fn cite(mut self, cites: impl IntoIterator<Item = String>) -> Self {
        self.cites.extend(cites);
        self
    }
}
