//! The levels a prediction is scored at, as a vocabulary of the model: defined once here, with
//! their exact wire strings (the `level` column of every report table), `ALL` in display order
//! and parsing with an error that lists the valid values.

use crate::taxonomy::labels;

labels! {
    /// A scoring level. The first three compare one label of the taxonomy; `localization` is
    /// the right failure mode for the right `namespace/pod` (and container, where expected).
    Level, "level" {
        FailureMode = "failure_mode",
        RootCauseCategory = "root_cause_category",
        RootCause = "root_cause",
        Localization = "localization",
    }
}

impl Level {
    /// The levels that compare a taxonomy label (they have a confusion matrix), in display order.
    pub const LABELED: &'static [Level] = &[
        Level::FailureMode,
        Level::RootCauseCategory,
        Level::RootCause,
    ];

    /// Whether this level compares a taxonomy label (every level but `localization`).
    pub const fn is_labeled(self) -> bool {
        !matches!(self, Level::Localization)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, FailureMode, RootCause};

    #[test]
    fn labeled_levels_are_named_like_their_label_sets() {
        let fields: Vec<&str> = Level::LABELED.iter().map(|l| l.as_str()).collect();
        assert_eq!(
            fields,
            [FailureMode::FIELD, Category::FIELD, RootCause::FIELD]
        );
        assert!(
            Level::ALL
                .iter()
                .all(|l| l.is_labeled() == Level::LABELED.contains(l))
        );
    }

    #[test]
    fn an_unknown_level_lists_the_valid_ones() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Ok(*l));
        }
        let msg = Level::parse("mode").unwrap_err().to_string();
        assert_eq!(
            msg,
            "unknown level \"mode\" (expected one of: failure_mode, root_cause_category, root_cause, localization)"
        );
    }
}
