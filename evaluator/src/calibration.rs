//! Calibration of a classifier's confidence: does a 0.8 mean right four times in five?
//!
//! Plain functions over `(confidence, correct)` pairs, used by `metrics` for every level:
//!
//! * Brier score: mean of `(confidence - correct)^2` (0 is perfect; always answering 0.5 gives
//!   0.25).
//! * Expected calibration error over [`BINS`] bins: `sum_b (n_b / n) * |accuracy_b -
//!   mean confidence_b|`. Equal-width bins split 0..1 into tenths (`[0, 0.1)`, ..., `[0.9, 1]`);
//!   equal-mass bins split the pairs sorted by confidence into ten runs of `n / 10` pairs (the
//!   first `n mod 10` one longer), so a classifier with few distinct confidences is not judged
//!   on near-empty bins alone. Empty bins contribute nothing.
//! * Selective accuracy at coverage `c`: the accuracy of the `ceil(c * n)` most confident
//!   pairs (ties in the order given; `metrics` gives them sorted by confidence and scenario
//!   id, so the figures do not depend on the order of the rows).
//!
//! Which pairs: the rows that carry a confidence; a failed call counts as confidence 0 and
//! wrong (it answered nothing); a successful call without a confidence is left out.

/// Bins of both ECE variants and of the reliability diagram.
pub const BINS: usize = 10;

/// Coverages of the selective accuracy columns.
pub const COVERAGES: [f64; 3] = [0.5, 0.8, 1.0];

/// One bin of a reliability diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    /// Lowest confidence the bin admits (equal mass: the lowest confidence in it).
    pub low: f64,
    /// Highest confidence the bin admits (equal mass: the highest in it).
    pub high: f64,
    /// Pairs in the bin.
    pub n: u64,
    /// Mean confidence of its pairs (`None` for an empty bin).
    pub mean_confidence: Option<f64>,
    /// Share of its pairs that are right (`None` for an empty bin).
    pub accuracy: Option<f64>,
}

/// The calibration figures of one level.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// Pairs scored.
    pub n: u64,
    /// Accuracy over those pairs.
    pub accuracy: f64,
    /// Mean confidence over those pairs.
    pub mean_confidence: f64,
    /// Brier score.
    pub brier: f64,
    /// ECE over equal-width bins.
    pub ece_equal_width: f64,
    /// ECE over equal-mass bins.
    pub ece_equal_mass: f64,
    /// Selective accuracy at each of [`COVERAGES`].
    pub selective: [f64; 3],
    /// The equal-width bins, all [`BINS`] of them (empty ones included).
    pub width_bins: Vec<Bin>,
    /// The equal-mass bins (fewer than [`BINS`] when there are fewer pairs).
    pub mass_bins: Vec<Bin>,
}

/// The figures of `pairs` (`confidence` in 0..=1); `None` when there are none.
pub fn calibrate(pairs: &[(f64, bool)]) -> Option<Calibration> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len();
    let nf = n as f64;
    let right = pairs.iter().filter(|p| p.1).count() as f64;
    let brier = pairs
        .iter()
        .map(|(c, ok)| (c - f64::from(u8::from(*ok))).powi(2))
        .sum::<f64>()
        / nf;

    let mut width: Vec<Vec<(f64, bool)>> = vec![Vec::new(); BINS];
    for &(c, ok) in pairs {
        // [k/10, (k+1)/10), the last bin closed at 1.
        let k = ((c * BINS as f64).floor() as usize).min(BINS - 1);
        width[k].push((c, ok));
    }
    let width_bins: Vec<Bin> = width
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let mut bin = bin_of(b);
            bin.low = k as f64 / BINS as f64;
            bin.high = (k + 1) as f64 / BINS as f64;
            bin
        })
        .collect();

    let mut sorted = pairs.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut mass_bins = Vec::with_capacity(BINS);
    let (base, extra) = (n / BINS, n % BINS);
    let mut start = 0;
    for k in 0..BINS {
        let len = base + usize::from(k < extra);
        if len == 0 {
            continue;
        }
        mass_bins.push(bin_of(&sorted[start..start + len]));
        start += len;
    }

    let ece = |bins: &[Bin]| -> f64 {
        bins.iter()
            .filter_map(|b| Some(b.n as f64 / nf * (b.accuracy? - b.mean_confidence?).abs()))
            .sum()
    };

    // Most confident first; a stable sort keeps the given order among equal confidences.
    let mut by_confidence = pairs.to_vec();
    by_confidence.sort_by(|a, b| b.0.total_cmp(&a.0));
    let selective = COVERAGES.map(|c| {
        let take = ((c * nf).ceil() as usize).clamp(1, n);
        by_confidence[..take].iter().filter(|p| p.1).count() as f64 / take as f64
    });

    Some(Calibration {
        n: n as u64,
        accuracy: right / nf,
        mean_confidence: pairs.iter().map(|p| p.0).sum::<f64>() / nf,
        brier,
        ece_equal_width: ece(&width_bins),
        ece_equal_mass: ece(&mass_bins),
        selective,
        width_bins,
        mass_bins,
    })
}

/// A bin over `pairs`; its bounds are the lowest and highest confidence in it (0 when empty).
fn bin_of(pairs: &[(f64, bool)]) -> Bin {
    if pairs.is_empty() {
        return Bin {
            low: 0.0,
            high: 0.0,
            n: 0,
            mean_confidence: None,
            accuracy: None,
        };
    }
    let nf = pairs.len() as f64;
    Bin {
        low: pairs.iter().map(|p| p.0).fold(f64::INFINITY, f64::min),
        high: pairs.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max),
        n: pairs.len() as u64,
        mean_confidence: Some(pairs.iter().map(|p| p.0).sum::<f64>() / nf),
        accuracy: Some(pairs.iter().filter(|p| p.1).count() as f64 / nf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn hand_computed_figures() {
        // 0.9 x4: 3 right; 0.3 x2: 0 right.
        let pairs = [
            (0.9, true),
            (0.9, true),
            (0.9, true),
            (0.9, false),
            (0.3, false),
            (0.3, false),
        ];
        let c = calibrate(&pairs).unwrap();
        assert_eq!(c.n, 6);
        assert!(close(c.accuracy, 0.5));
        // Brier: (3 * 0.01 + 0.81 + 2 * 0.09) / 6.
        assert!(close(c.brier, (0.03 + 0.81 + 0.18) / 6.0));
        // Width bins: [0.9,1]: acc .75 vs .9 -> 4/6 * .15; [0.3,0.4): 0 vs .3 -> 2/6 * .3.
        assert!(close(c.ece_equal_width, 4.0 / 6.0 * 0.15 + 2.0 / 6.0 * 0.3));
        assert_eq!(c.width_bins.len(), BINS);
        assert_eq!(c.width_bins[9].n, 4);
        assert_eq!(c.width_bins[3].n, 2);
        // Six pairs: six equal-mass bins of one pair each: ECE = mean |correct - confidence|.
        assert_eq!(c.mass_bins.len(), 6);
        assert!(close(c.ece_equal_mass, (3.0 * 0.1 + 0.9 + 2.0 * 0.3) / 6.0));
        // Coverage 50%: the three most confident (all 0.9, in order): all right.
        assert!(close(c.selective[0], 1.0));
        // 80%: ceil(4.8) = 5: the four 0.9s and one 0.3: 3 / 5.
        assert!(close(c.selective[1], 0.6));
        assert!(close(c.selective[2], 0.5));
    }

    #[test]
    fn exactly_calibrated_bins_have_zero_ece() {
        let mut pairs = Vec::new();
        for (c, right, total) in [(0.8, 8, 10), (0.5, 5, 10), (1.0, 10, 10)] {
            for i in 0..total {
                pairs.push((c, i < right));
            }
        }
        let c = calibrate(&pairs).unwrap();
        assert!(close(c.ece_equal_width, 0.0));
        assert!(calibrate(&[]).is_none());
    }

    #[test]
    fn confidence_one_falls_in_the_last_bin() {
        let c = calibrate(&[(1.0, true), (0.0, false)]).unwrap();
        assert_eq!(c.width_bins[9].n, 1);
        assert_eq!(c.width_bins[0].n, 1);
        assert!(close(c.ece_equal_width, 0.0));
        assert!(close(c.brier, 0.0));
    }
}
