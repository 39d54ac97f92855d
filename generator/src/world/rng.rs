//! Randomness of one scenario, split into independent streams.
//!
//! Every stage of the world draws from its own ChaCha12 stream, keyed by SHA-256 of the corpus
//! seed, the scenario index and the stage's name, so a change in one stage (one more draw, a new
//! variant) leaves the bytes every other stage produces unchanged. Identifiers (uids, hashes)
//! are derived from the scenario key and the name of what they identify, not drawn, so adding
//! an object never renames another. Nothing here reads the wall clock.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha12Rng;
use sha2::{Digest, Sha256};

use crate::spec::Weighted;

/// The RNG every stage draws from.
pub type StageRng = ChaCha12Rng;

/// The random streams of scenario `index` of a corpus with this seed.
#[derive(Clone, Debug)]
pub struct Streams {
    key: [u8; 32],
}

impl Streams {
    /// The streams of one scenario.
    pub fn new(seed: u64, index: u64) -> Self {
        let mut h = Sha256::new();
        h.update(b"triagebench-generator/v2\0");
        h.update(seed.to_le_bytes());
        h.update(index.to_le_bytes());
        Streams {
            key: h.finalize().into(),
        }
    }

    fn digest(&self, domain: &str, what: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(domain.as_bytes());
        h.update([0u8]);
        h.update(what.as_bytes());
        h.finalize().into()
    }

    /// The stream of one stage (`"labels"`, `"identity"`, `"nodes"`, ...).
    pub fn stage(&self, name: &str) -> StageRng {
        ChaCha12Rng::from_seed(self.digest("stage", name))
    }

    /// A UUID (version 4 layout) naming `what`: stable whatever else the scenario holds.
    pub fn uid(&self, what: &str) -> String {
        let d = self.digest("uid", what);
        let h = scenario::manifest::hex(&d[..16]);
        let variant = ['8', '9', 'a', 'b'][usize::from(d[16] % 4)];
        format!(
            "{}-{}-4{}-{variant}{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }

    /// `n` hex digits derived from `what` (container ids, image digests, instance ids).
    pub fn hex(&self, what: &str, n: usize) -> String {
        let mut out = String::with_capacity(n);
        let mut block = 0u32;
        while out.len() < n {
            let d = self.digest("hex", &format!("{what}#{block}"));
            out.push_str(&scenario::manifest::hex(&d));
            block += 1;
        }
        out.truncate(n);
        out
    }
}

/// The characters of Kubernetes-generated name suffixes.
const K8S_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// An index drawn with these weights (0 when they are all zero).
pub fn weighted_index<R: Rng>(rng: &mut R, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u64 = weights.clone().map(u64::from).sum();
    if total == 0 {
        return 0;
    }
    let mut x = rng.random_range(0..total);
    for (i, w) in weights.enumerate() {
        if x < u64::from(w) {
            return i;
        }
        x -= u64::from(w);
    }
    0
}

/// One item, uniformly.
pub fn pick<'a, R: Rng, T>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// One item, by weight.
pub fn pick_w<'a, R: Rng, T>(rng: &mut R, items: &'a [Weighted<T>]) -> &'a T {
    items[weighted_index(rng, items.iter().map(Weighted::weight))].value()
}

/// A suffix of `n` characters as the ReplicaSet and Pod controllers generate them.
pub fn k8s_suffix<R: Rng>(rng: &mut R, n: usize) -> String {
    (0..n)
        .map(|_| K8S_ALPHABET[rng.random_range(0..K8S_ALPHABET.len())] as char)
        .collect()
}

/// `n` random hex digits.
pub fn hex<R: Rng>(rng: &mut R, n: usize) -> String {
    const H: &[u8] = b"0123456789abcdef";
    (0..n).map(|_| H[rng.random_range(0..16)] as char).collect()
}

/// A random UUID (version 4 layout).
pub fn uuid<R: Rng>(rng: &mut R) -> String {
    format!(
        "{}-{}-4{}-{}{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 3),
        pick(rng, &['8', '9', 'a', 'b']),
        hex(rng, 3),
        hex(rng, 12)
    )
}

/// Hex that never spells a loaded word (image tags are names a reader sees).
pub fn neutral_hex<R: Rng>(rng: &mut R, n: usize) -> String {
    loop {
        let h = hex(rng, n);
        if !h.contains("bad") && !h.contains("dead") {
            return h;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent_and_stable() {
        let s = Streams::new(42, 7);
        let a: u64 = s.stage("nodes").random();
        let b: u64 = s.stage("nodes").random();
        let c: u64 = s.stage("identity").random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(Streams::new(42, 8).stage("nodes").random::<u64>(), a);
        let uid = s.uid("pod/api-0");
        assert_eq!(uid.len(), 36);
        assert_eq!(&uid[14..15], "4");
        assert_eq!(uid, s.uid("pod/api-0"));
        assert_ne!(uid, s.uid("pod/api-1"));
        assert_eq!(s.hex("x", 70).len(), 70);
    }
}
