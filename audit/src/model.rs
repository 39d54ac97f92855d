//! The learned surface model of the partial-input baselines: multinomial logistic regression
//! (softmax) over hashed, binary, L2-normalised unigram and bigram features, trained by plain
//! stochastic gradient descent in a fixed, seeded order (so an audit is reproducible to the bit).
//!
//! Written here rather than taken from linfa: `linfa-logistic` and `linfa-bayes` (0.8.1, the
//! maintained Rust ML crates for this) only fit dense `ndarray` matrices, and a bag of n-grams
//! over a case is a sparse vector in 2^18 hashed dimensions (a dense 5,000 x 262,144 matrix would
//! need 5 GB). Sparse SGD for softmax regression is the forty lines below.

use crate::text::tokens;

/// Hashed feature dimensions (2^18).
pub const DIMS_BITS: u32 = 18;
/// Passes over the training set.
pub const EPOCHS: usize = 6;
/// Learning rate of the first pass (divided by `1 + pass` after).
pub const LEARNING_RATE: f32 = 1.0;

/// One document's features: distinct hashed n-gram indices, each of the same weight
/// `1 / sqrt(len)` (binary presence, unit L2 norm).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features {
    idx: Vec<u32>,
    val: f32,
}

impl Features {
    /// The unigrams and bigrams of `text`'s tokens, hashed into 2^[`DIMS_BITS`] dimensions.
    pub fn of(text: &str) -> Features {
        let mask = (1u64 << DIMS_BITS) - 1;
        let mut idx = Vec::new();
        let mut prev: Option<u64> = None;
        for t in tokens(text) {
            let h = fnv1a(t.as_bytes());
            idx.push((h & mask) as u32);
            if let Some(p) = prev {
                idx.push((mix(p, h) & mask) as u32);
            }
            prev = Some(h);
        }
        idx.sort_unstable();
        idx.dedup();
        let val = if idx.is_empty() {
            0.0
        } else {
            1.0 / (idx.len() as f32).sqrt()
        };
        Features { idx, val }
    }

    /// Distinct features.
    pub fn len(&self) -> usize {
        self.idx.len()
    }

    /// Whether there is no feature at all.
    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Combines two token hashes into a bigram hash (order matters).
fn mix(a: u64, b: u64) -> u64 {
    let mut x = a.rotate_left(31) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^ (x >> 33)
}

/// A trained softmax regression over `classes` classes.
#[derive(Clone, Debug)]
pub struct Softmax {
    classes: usize,
    /// Row-major: feature `i`, class `c` at `i * classes + c`.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl Softmax {
    /// Trains on `x` with class indices `y` (each `< classes`), [`EPOCHS`] passes of SGD in an
    /// order shuffled by a fixed seed.
    pub fn train(x: &[&Features], y: &[usize], classes: usize) -> Softmax {
        assert_eq!(x.len(), y.len(), "one label per document");
        let mut m = Softmax {
            classes,
            weights: vec![0.0; (1usize << DIMS_BITS) * classes],
            bias: vec![0.0; classes],
        };
        let mut order: Vec<usize> = (0..x.len()).collect();
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut grad = vec![0.0f32; classes];
        for epoch in 0..EPOCHS {
            // Fisher-Yates with xorshift64: the same order on every machine.
            for i in (1..order.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                order.swap(i, (rng % (i as u64 + 1)) as usize);
            }
            let lr = LEARNING_RATE / (1.0 + epoch as f32);
            for &d in &order {
                m.probabilities(x[d], &mut grad);
                grad[y[d]] -= 1.0;
                for (b, g) in m.bias.iter_mut().zip(&grad) {
                    *b -= lr * g;
                }
                let step = lr * x[d].val;
                for &i in &x[d].idx {
                    let row = &mut m.weights[i as usize * classes..(i as usize + 1) * classes];
                    for (w, g) in row.iter_mut().zip(&grad) {
                        *w -= step * g;
                    }
                }
            }
        }
        m
    }

    /// Writes the class probabilities of `x` into `out` (length `classes`).
    fn probabilities(&self, x: &Features, out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for &i in &x.idx {
            let row = &self.weights[i as usize * self.classes..(i as usize + 1) * self.classes];
            for (o, w) in out.iter_mut().zip(row) {
                *o += x.val * w;
            }
        }
        let max = out.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for o in out.iter_mut() {
            *o = (*o - max).exp();
            sum += *o;
        }
        for o in out.iter_mut() {
            *o /= sum;
        }
    }

    /// The most probable class (the lowest index on a tie).
    pub fn predict(&self, x: &Features) -> usize {
        let mut p = vec![0.0; self.classes];
        self.probabilities(x, &mut p);
        let mut best = 0;
        for (c, v) in p.iter().enumerate() {
            if *v > p[best] {
                best = c;
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_distinct_unit_norm_unigrams_and_bigrams() {
        let f = Features::of("a b a b");
        // a, b, "a b", "b a": four distinct n-grams.
        assert_eq!(f.len(), 4);
        assert!((f.val * f.val * f.len() as f32 - 1.0).abs() < 1e-6);
        assert!(Features::of("").is_empty());
    }

    #[test]
    fn it_learns_a_separable_problem_and_generalises_to_unseen_filler() {
        let docs = [
            ("disk full on node 1", 0),
            ("disk full on node 2", 0),
            ("memory low on node 3", 1),
            ("memory low on node 4", 1),
            ("connection refused by db 5", 2),
            ("connection refused by db 6", 2),
        ];
        let x: Vec<Features> = docs.iter().map(|(t, _)| Features::of(t)).collect();
        let refs: Vec<&Features> = x.iter().collect();
        let y: Vec<usize> = docs.iter().map(|(_, c)| *c).collect();
        let m = Softmax::train(&refs, &y, 3);
        assert_eq!(m.predict(&Features::of("disk full on node 9")), 0);
        assert_eq!(m.predict(&Features::of("memory low on node 9")), 1);
        assert_eq!(m.predict(&Features::of("connection refused by db 9")), 2);
    }
}
