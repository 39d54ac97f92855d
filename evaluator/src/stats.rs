//! Small exact statistics used by the metrics and the regression gate: the Wilson score
//! interval, McNemar's exact test, Holm's step-down correction, the paired (cluster) bootstrap
//! of an accuracy difference, nearest-rank percentiles. Plain functions on counts, no
//! dependencies, each checked against hand-computed values in the tests below.

/// The two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval of `successes` out of `n` at 95% confidence, as `(low, high)`.
/// `n = 0` gives the uninformative `(0, 1)`.
pub fn wilson(successes: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_f;
    let center = (p + z2 / (2.0 * n_f)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// McNemar's exact test, two-sided: the probability, under "both classifiers are equally good",
/// of a split of the `b + c` discordant pairs at least as lopsided as the one seen. It is
/// `min(1, 2 * P(X <= min(b, c)))` with `X ~ Binomial(b + c, 1/2)`; no discordant pairs gives 1.
/// Computed in log space, so it stays exact to floating point for tens of thousands of pairs.
pub fn mcnemar_exact(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    let ln2 = std::f64::consts::LN_2;
    // ln C(n, i) - n ln 2, summed with log-sum-exp.
    let mut ln_choose = 0.0f64;
    let mut terms = Vec::with_capacity(k as usize + 1);
    for i in 0..=k {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        terms.push(ln_choose - n as f64 * ln2);
    }
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let tail = max.exp() * terms.iter().map(|t| (t - max).exp()).sum::<f64>();
    (2.0 * tail).min(1.0)
}

/// Holm's step-down adjustment of `p_values` (one family of tests), in the input order:
/// with the p-values sorted ascending, `p_(i)` becomes `max over j <= i of min(1, (m - j + 1)
/// p_(j))`, so a test survives at `alpha` exactly when Holm's procedure rejects it. It keeps the
/// family-wise error rate at `alpha` under any dependence between the tests. Ties keep their
/// input order (the adjusted values of tied p-values come out equal either way).
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        let scaled = ((m - rank) as f64 * p_values[i]).min(1.0);
        running = running.max(scaled);
        adjusted[i] = running;
    }
    adjusted
}

/// One resampling unit of the paired bootstrap: a scenario's paired rows at a level (`n`, one
/// per trial) and how many more of them the candidate got right than the base (`diff`,
/// `candidate right - base right`, in `-n..=n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairedUnit {
    /// Paired rows of the unit.
    pub n: u64,
    /// Candidate right minus base right over those rows.
    pub diff: i64,
}

/// Paired bootstrap percentile interval of the accuracy difference (candidate minus base) over
/// `units`: `resamples` times, draw `units.len()` units with replacement from a SplitMix64
/// seeded with `seed`, and take the difference of the accuracies on the drawn rows
/// (`sum diff / sum n`); the interval is the nearest-rank `(1 - confidence) / 2` and `(1 +
/// confidence) / 2` quantiles of those differences. Resampling whole scenarios keeps each
/// scenario's base and candidate answers (and its trials) together, which is what makes it
/// paired. No units or no resamples give `None`; units that never disagree give exactly `(0,
/// 0)` (every resample does). Deterministic: the same inputs give the same interval.
pub fn paired_bootstrap(
    units: &[PairedUnit],
    resamples: u32,
    seed: u64,
    confidence: f64,
) -> Option<(f64, f64)> {
    if units.is_empty() || resamples == 0 {
        return None;
    }
    if units.iter().all(|u| u.diff == 0) {
        return Some((0.0, 0.0));
    }
    let k = units.len() as u64;
    let mut rng = SplitMix64::new(seed);
    let mut deltas: Vec<f64> = (0..resamples)
        .map(|_| {
            let (mut n, mut diff) = (0u64, 0i64);
            for _ in 0..k {
                let u = units[rng.below(k) as usize];
                n += u.n;
                diff += u.diff;
            }
            if n == 0 { 0.0 } else { diff as f64 / n as f64 }
        })
        .collect();
    deltas.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence.clamp(0.0, 1.0)) / 2.0 * 100.0;
    Some((
        percentile_sorted(&deltas, tail),
        percentile_sorted(&deltas, 100.0 - tail),
    ))
}

/// Nearest-rank percentile (`q` in 0..=100) of unsorted values; 0 for an empty slice.
pub fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    percentile_sorted(&sorted, q)
}

/// Nearest-rank percentile of already sorted values.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A small seeded pseudo-random generator (SplitMix64): the one source of randomness of the
/// evaluator (the uniform-random control of `selftest`, the paired bootstrap of `compare`), so
/// a seed gives the same draws on every machine and no RNG crate is needed.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform index in `0..n` (`n > 0`), by rejection so every index is equally likely.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn splitmix_is_seeded_and_uniform() {
        // The reference output of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        let mut counts = [0u64; 5];
        let mut r = SplitMix64::new(1);
        for _ in 0..50_000 {
            counts[r.below(5) as usize] += 1;
        }
        // Each count is Binomial(50000, 0.2): sd ~89; 5 sd either side.
        for c in counts {
            assert!((9_555..=10_445).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn mcnemar_known_values() {
        // b=10, c=2: n=12, P(X<=2) = (1 + 12 + 66) / 4096 = 79/4096; two-sided 158/4096.
        assert!(close(mcnemar_exact(10, 2), 158.0 / 4096.0, 1e-12));
        assert!(close(mcnemar_exact(10, 2), 0.0386, 5e-5));
        // Symmetric in b and c.
        assert_eq!(mcnemar_exact(2, 10), mcnemar_exact(10, 2));
        assert_eq!(mcnemar_exact(7, 3), mcnemar_exact(3, 7));
        // No discordant pairs, and a perfectly even split: no evidence at all.
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        assert_eq!(mcnemar_exact(5, 5), 1.0);
        // b=10, c=0: 2 / 1024.
        assert!(close(mcnemar_exact(10, 0), 2.0 / 1024.0, 1e-15));
        // b=6, c=1: P(X<=1) = (1 + 7) / 128, two-sided 16/128 = 0.125.
        assert!(close(mcnemar_exact(6, 1), 0.125, 1e-12));
        // One discordant pair: 2 * 1/2 = 1.
        assert_eq!(mcnemar_exact(1, 0), 1.0);
        // Large n stays finite and tiny for a lopsided split, near 1 for an even one.
        let p = mcnemar_exact(5000, 4000);
        assert!(p > 0.0 && p < 1e-20, "{p}");
        assert!(mcnemar_exact(5000, 5001) > 0.99);
    }

    #[test]
    fn wilson_known_values() {
        // 8/10: z^2 = 3.8415, denominator 1 + 0.38415; center (0.8 + 0.19207) / 1.38415 = 0.71674,
        // half 1.41600 * sqrt(0.016 + 0.0096037) = 0.22658 -> (0.4902, 0.9433).
        let (lo, hi) = wilson(8, 10);
        assert!(close(lo, 0.4902, 1e-4), "{lo}");
        assert!(close(hi, 0.9433, 1e-4), "{hi}");
        // 0/10 -> (0, 0.2775); 10/10 -> (0.7225, 1).
        let (lo, hi) = wilson(0, 10);
        assert!(
            close(lo, 0.0, 1e-12) && close(hi, 0.2775, 1e-4),
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(10, 10);
        assert!(
            close(lo, 0.7225, 1e-4) && close(hi, 1.0, 1e-12),
            "{lo} {hi}"
        );
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn percentiles_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 95.0), 95.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 50.0), 2.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn holm_textbook_values() {
        // p = (0.01, 0.04, 0.03, 0.005), m = 4: sorted 0.005, 0.01, 0.03, 0.04 are scaled by
        // 4, 3, 2, 1 to 0.02, 0.03, 0.06, 0.04, and the running maximum makes the last 0.06.
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!(close(*a, e, 1e-12), "{adjusted:?}");
        }
        // Capped at 1; one test is left as it is; no tests, no values.
        assert_eq!(holm(&[0.6, 0.7]), vec![1.0, 1.0]);
        assert_eq!(holm(&[0.02]), vec![0.02]);
        assert!(holm(&[]).is_empty());
        // Holm never adjusts a p-value down, and is never above Bonferroni.
        let p = [0.001, 0.2, 0.011, 0.04, 0.5];
        for (a, raw) in holm(&p).iter().zip(p) {
            assert!(*a >= raw && *a <= (raw * 5.0).min(1.0), "{a} {raw}");
        }
    }

    /// `n` single-row units of which `up` the candidate alone got right and `down` the base
    /// alone got right.
    fn units(n: usize, up: usize, down: usize) -> Vec<PairedUnit> {
        (0..n)
            .map(|i| PairedUnit {
                n: 1,
                diff: if i < up {
                    1
                } else if i < up + down {
                    -1
                } else {
                    0
                },
            })
            .collect()
    }

    #[test]
    fn paired_bootstrap_covers_a_known_difference() {
        // 1,000 pairs, 150 newly right and 50 newly wrong: the true difference is +0.10 and its
        // standard error sqrt((0.15 + 0.05 - 0.01) / 1000) = 0.0138, so a 95% interval is about
        // 0.10 +- 0.027.
        let u = units(1000, 150, 50);
        let (lo, hi) = paired_bootstrap(&u, 2000, 7, 0.95).unwrap();
        assert!(lo < 0.10 && hi > 0.10, "[{lo}, {hi}]");
        assert!(
            close(lo, 0.073, 0.008) && close(hi, 0.127, 0.008),
            "[{lo}, {hi}]"
        );
        // Deterministic under the seed, and a different seed moves it only a little.
        assert_eq!(paired_bootstrap(&u, 2000, 7, 0.95), Some((lo, hi)));
        let (lo2, hi2) = paired_bootstrap(&u, 2000, 8, 0.95).unwrap();
        assert!(close(lo, lo2, 0.006) && close(hi, hi2, 0.006));
        // A wider confidence gives a wider interval.
        let (lo99, hi99) = paired_bootstrap(&u, 2000, 7, 0.99).unwrap();
        assert!(lo99 < lo && hi99 > hi);
        // Identical answers: exactly [0, 0]; nothing to resample: none.
        assert_eq!(
            paired_bootstrap(&units(50, 0, 0), 2000, 1, 0.95),
            Some((0.0, 0.0))
        );
        assert_eq!(paired_bootstrap(&[], 2000, 1, 0.95), None);
        assert_eq!(paired_bootstrap(&u, 0, 1, 0.95), None);
    }

    #[test]
    fn paired_bootstrap_resamples_whole_scenarios() {
        // Three trials per scenario, all three agreeing: the trials are one unit, so the interval
        // is as wide as for 200 single-row scenarios, not as narrow as for 600 independent rows.
        let clustered: Vec<PairedUnit> = units(200, 30, 10)
            .into_iter()
            .map(|u| PairedUnit {
                n: 3,
                diff: u.diff * 3,
            })
            .collect();
        let (lo, hi) = paired_bootstrap(&clustered, 2000, 3, 0.95).unwrap();
        let (lo1, hi1) = paired_bootstrap(&units(200, 30, 10), 2000, 3, 0.95).unwrap();
        assert_eq!((lo, hi), (lo1, hi1));
        let (lo6, hi6) = paired_bootstrap(&units(600, 90, 30), 2000, 3, 0.95).unwrap();
        assert!(
            hi - lo > 1.5 * (hi6 - lo6),
            "[{lo}, {hi}] vs [{lo6}, {hi6}]"
        );
    }
}
