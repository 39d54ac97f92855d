//! A bounded mutation fuzzer over the loader, part of the normal test suite: the canonical suite
//! is copied, one file at a time is mutated (bit flips, cut and repeated ranges, hostile tokens:
//! byte order marks, duplicate keys, alias bombs, deep nesting, huge numbers, `base:` cycles),
//! and every load must return (never panic) with each problem naming a file of the suite. The
//! seed and the iteration count are fixed, so a failure reproduces; raise the count with
//! `TRIAGEBENCH_FUZZ_ITERATIONS` for a longer run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use scenario::{Profile, load_report_profile};

/// SplitMix64: small, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "\u{feff}",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "\"available\": false",
    "\"available\": true, \"error\": 3",
    "\"restart_count\": 14, \"restart_count\": 0",
    "99999999999999999999999999",
    "-1",
    "1e999",
    "\u{0}",
    "\\ud800",
    "base: 000-healthy\n",
    "base: 001-crashloop-backoff\n",
    "base: ../../etc\n",
    "a: &a [*a, *a, *a, *a]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n",
    "- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - x\n",
    "failure_mode: unknown\n",
    "scenario_id: 000-healthy\n",
    "available_evidence: [eks_pods, eks_pods]\n",
    "<<: *nope\n",
    "\t",
    "\r\n",
    "ï»¿",
];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            files(&e.path(), out);
        } else {
            out.push(e.path());
        }
    }
}

fn mutate(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(256)).min(b.len());
                let chunk = b[at..end].to_vec();
                for _ in 0..=rng.below(4) {
                    b.splice(at..at, chunk.iter().copied());
                }
            }
            3 => b.truncate(at),
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(at..at, t.bytes());
            }
        }
    }
    b
}

#[test]
fn mutated_suites_never_panic_the_loader_and_every_problem_names_a_file() {
    let iterations: usize = std::env::var("TRIAGEBENCH_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/canonical"),
        &suite,
    );
    let mut all = Vec::new();
    files(&suite, &mut all);
    all.sort();
    let names: Vec<String> = std::fs::read_dir(&suite)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut rng = Rng(0x7269_6167_6562_656e);
    let mut problems_seen = 0usize;
    for i in 0..iterations {
        let file = &all[rng.below(all.len())];
        let original = std::fs::read(file).unwrap();
        let mutated = mutate(&mut rng, &original);
        std::fs::write(file, &mutated).unwrap();
        let profile = if i % 5 == 4 {
            Profile::K8sApi
        } else {
            Profile::Opensre
        };
        let report = catch_unwind(AssertUnwindSafe(|| load_report_profile(&suite, profile)))
            .unwrap_or_else(|_| {
                panic!(
                    "iteration {i}: the loader panicked on {} mutated to {:?}",
                    file.display(),
                    String::from_utf8_lossy(&mutated)
                )
            });
        for p in &report.problems {
            let top = p.file.split('/').next().unwrap_or("");
            assert!(
                names.iter().any(|n| n == top) || p.file == suite.display().to_string(),
                "iteration {i}: problem does not name a file of the suite: {p}"
            );
            assert!(!p.message.is_empty(), "iteration {i}: empty message: {p}");
            assert!(
                !p.message.contains("budget breached"),
                "iteration {i}: Debug text in a message: {p}"
            );
        }
        problems_seen += report.problems.len();
        std::fs::write(file, &original).unwrap();
    }
    assert!(
        problems_seen > iterations / 4,
        "the mutations must hurt: {problems_seen}"
    );
    assert!(
        load_report_profile(&suite, Profile::Opensre)
            .problems
            .is_empty(),
        "restored"
    );
}
