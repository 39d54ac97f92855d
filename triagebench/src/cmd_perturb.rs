//! `triagebench perturb <corpus> --rewrite KIND[,KIND] --out DIR`: a derived corpus whose
//! scenarios keep their directory names, ids and labels but are renamed, reordered,
//! time-shifted, reworded where unrelated to the cause, or short of one unrelated healthy pod
//! (`scenario::perturb` documents each rewrite). The child's `manifest.json` records its
//! parent (path, corpus id, content hash), the rewrites with their seed and what was done to
//! each scenario (the rename maps), and its own content hash, so `eval` takes it as it is.
//!
//! Before anything is written, the child is loaded back and every scenario's labels are
//! checked against the parent's (in each profile the parent has); the corpus is written to a
//! temporary directory beside `--out` and renamed into place.
//!
//! Exit codes: 0 done; 2 bad input (a parent that does not load or changed since its manifest
//! was written, an unknown rewrite, `opensre` files that are not the projection of the raw
//! objects); 3 `--out` exists (without `--force`, or is not a corpus); 4 I/O while writing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use scenario::manifest::{Derived, MANIFEST_FILE, Manifest, ParentRef, enclosing_corpus, resolved};
use scenario::perturb::{Rewrite, perturb, read_corpus};
use scenario::{Profile, Scenario};

/// Arguments of `triagebench perturb`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The parent corpus (generated, or a hand-written suite).
    pub corpus: PathBuf,
    /// The rewrites, applied in order: rename, reorder, time-shift, reword, drop-healthy-pod.
    #[arg(long, value_name = "KIND[,KIND]", value_parser = RewriteList::parse)]
    pub rewrite: RewriteList,
    /// Where the derived corpus goes.
    #[arg(long)]
    pub out: PathBuf,
    /// Seed of the rewrites' draws (new names, offsets, orders, the dropped pod).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Replace `--out` if it is a corpus (a directory with a manifest.json) or empty.
    #[arg(long)]
    pub force: bool,
}

/// `--rewrite`: rewrites in the order given.
#[derive(Clone, Debug)]
pub struct RewriteList(
    /// The rewrites.
    pub Vec<Rewrite>,
);

impl RewriteList {
    /// Parses `rename,reorder`; an unknown or repeated name is an error listing the valid ones.
    pub fn parse(s: &str) -> Result<RewriteList, String> {
        Rewrite::parse_list(s).map(RewriteList)
    }
}

/// The labels of a scenario that a perturbation must keep.
fn labels(s: &Scenario) -> String {
    let a = s.answer();
    let f = s.file();
    format!(
        "{} {} {:?} {:?} difficulty {} signals {:?} evidence {:?}",
        f.failure_mode,
        a.root_cause_category,
        a.root_cause,
        a.exit_code,
        f.scenario_difficulty,
        f.adversarial_signals,
        f.available_evidence
    )
}

fn load(dir: &Path, profile: Profile) -> anyhow::Result<Vec<Scenario>> {
    scenario::load_profile(dir, profile)
        .map(|s| s.scenarios().to_vec())
        .map_err(|problems| {
            let what = format!("the {} profile", profile.as_str());
            crate::exit::unloadable(dir, &what, &problems)
        })
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rewrites: Vec<Rewrite> = args.rewrite.0.clone();
    let parent = &args.corpus;
    if !parent.is_dir() {
        return Err(crate::exit::bad_input(format!(
            "{}: not a directory",
            parent.display()
        )));
    }
    let out = &args.out;
    let (parent_real, out_real) = (resolved(parent), resolved(out));
    if out_real == parent_real || out_real.starts_with(&parent_real) {
        return Err(crate::exit::bad_input(format!(
            "--out {}: inside the parent corpus {}",
            out.display(),
            parent.display()
        )));
    }
    if let Some(c) = enclosing_corpus(out) {
        return Err(crate::exit::bad_input(format!(
            "--out {}: inside the corpus {} (its content hash would change)",
            out.display(),
            c.display()
        )));
    }
    check_out(out, args.force)?;
    // The parent as it is now: a manifest's corpus must be unmodified.
    let info =
        evaluator::corpus_info(parent, false).map_err(|e| crate::exit::bad_input(e.to_string()))?;
    let parent_manifest = if info.manifest {
        Some(Manifest::read(parent).map_err(crate::exit::bad_input)?)
    } else {
        None
    };
    let dirs = read_corpus(parent).map_err(|e| crate::exit::bad_input(e.to_string()))?;
    let has_raw = dirs
        .iter()
        .any(|d| d.files.iter().any(|(p, _)| p.starts_with("k8s-api/")));
    let has_opensre = dirs.iter().any(|d| {
        d.files.iter().any(|(p, _)| {
            scenario::EvidenceKind::ALL
                .iter()
                .any(|k| k.file_name() == *p)
        })
    });
    let mut profiles = vec![Profile::Opensre];
    if has_raw {
        profiles.push(Profile::K8sApi);
    }
    let parent_scenarios: Vec<(Profile, Vec<Scenario>)> = profiles
        .iter()
        .map(|&p| load(parent, p).map(|s| (p, s)))
        .collect::<anyhow::Result<_>>()?;
    let perturbed =
        perturb(&dirs, &rewrites, args.seed).map_err(|e| crate::exit::bad_input(e.to_string()))?;

    // Write into a temporary sibling of --out.
    let out_parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&out_parent)?;
    let name = out
        .file_name()
        .map_or_else(|| "corpus".to_owned(), |n| n.to_string_lossy().into_owned());
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{name}.partial-{}-", std::process::id());
    builder.prefix(&prefix);
    let tmp = builder.tempdir_in(&out_parent)?;
    for d in &perturbed.dirs {
        for (rel, text) in &d.files {
            let p = tmp.path().join(&d.name).join(rel);
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&p, text)?;
        }
    }
    // Every label kept, in every profile the parent has.
    let mut child_opensre = Vec::new();
    for (profile, before) in &parent_scenarios {
        let after = load(tmp.path(), *profile)?;
        if after.len() != before.len() {
            anyhow::bail!(
                "the derived corpus has {} scenarios, the parent {} ({} profile)",
                after.len(),
                before.len(),
                profile.as_str()
            );
        }
        let by_dir: BTreeMap<&str, &Scenario> = after.iter().map(|s| (s.dir_name(), s)).collect();
        for s in before {
            let Some(c) = by_dir.get(s.dir_name()) else {
                anyhow::bail!("{}: missing from the derived corpus", s.dir_name());
            };
            if labels(s) != labels(c) || s.id() != c.id() {
                anyhow::bail!(
                    "{}: the rewrite changed its labels ({} -> {}): a bug of perturb",
                    s.dir_name(),
                    labels(s),
                    labels(c)
                );
            }
        }
        if *profile == Profile::Opensre {
            child_opensre = after;
        }
    }
    let (hash, files, bytes) = scenario::manifest::content_hash(tmp.path())?;
    let profile = parent_manifest.as_ref().map_or_else(
        || {
            if has_raw && has_opensre {
                "both"
            } else if has_raw {
                "k8s-api"
            } else {
                "opensre"
            }
            .to_owned()
        },
        |m| m.profile.clone(),
    );
    let manifest = Manifest {
        schema_version: "1.0".into(),
        corpus_id: {
            let seed = args.seed.to_string();
            let joined = Rewrite::join(&rewrites);
            let h = scenario::manifest::hash_entries([
                ("parent", info.hash.as_bytes()),
                ("rewrites", joined.as_bytes()),
                ("seed", seed.as_bytes()),
            ]);
            format!("{}~{}", info.id, &h[..8])
        },
        seed: args.seed,
        count: perturbed.dirs.len() as u64,
        generator_version: generator::generator_version(),
        profile,
        templates_hash: parent_manifest
            .as_ref()
            .map_or_else(String::new, |m| m.templates_hash.clone()),
        split: parent_manifest.as_ref().and_then(|m| m.split.clone()),
        twins: parent_manifest.as_ref().and_then(|m| m.twins),
        // a shard's child holds the same shard's scenarios
        shard: parent_manifest.as_ref().and_then(|m| m.shard),
        counts: parent_manifest.as_ref().map_or_else(
            || scenario::load::label_counts(&child_opensre),
            |m| m.counts.clone(),
        ),
        files,
        bytes,
        content_hash: hash,
        derived: Some(Derived {
            parent: ParentRef {
                path: parent.display().to_string(),
                corpus_id: info.id.clone(),
                content_hash: info.hash.clone(),
            },
            rewrites: rewrites.clone(),
            seed: args.seed,
            scenarios: perturbed.records.clone(),
        }),
    };
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    std::fs::write(tmp.path().join(MANIFEST_FILE), text)?;
    // Swap into place (checked again: --out may have changed meanwhile).
    check_out(out, args.force)?;
    if out.exists() {
        let old = out_parent.join(format!(".{name}.old-{}", std::process::id()));
        std::fs::rename(out, &old)?;
        if let Err(e) = std::fs::rename(tmp.path(), out) {
            let _ = std::fs::rename(&old, out);
            return Err(e.into());
        }
        let _ = tmp.keep();
        std::fs::remove_dir_all(&old)?;
    } else {
        std::fs::rename(tmp.path(), out)?;
        let _ = tmp.keep();
    }
    let renamed = perturbed
        .records
        .values()
        .filter(|r| !r.renames.is_empty())
        .count();
    let dropped = perturbed
        .records
        .values()
        .filter(|r| r.dropped_pod.is_some())
        .count();
    let reworded: u64 = perturbed.records.values().map(|r| r.reworded_lines).sum();
    let reordered: u64 = perturbed.records.values().map(|r| r.reordered_lists).sum();
    outln!(
        "perturbed {} scenarios of {} ({}) with {} (seed {}) into {}",
        perturbed.dirs.len(),
        parent.display(),
        info.id,
        Rewrite::join(&rewrites),
        args.seed,
        out.display()
    );
    for r in &rewrites {
        match r {
            Rewrite::Rename => outln!("  rename: {renamed} scenarios renamed"),
            Rewrite::Reorder => outln!("  reorder: {reordered} lists permuted"),
            Rewrite::TimeShift => outln!("  time-shift: one offset per scenario group"),
            Rewrite::Reword => outln!("  reword: {reworded} unrelated lines reworded"),
            Rewrite::DropHealthyPod => outln!(
                "  drop-healthy-pod: {dropped} scenarios lost a pod ({} had none that qualified)",
                perturbed.dirs.len() - dropped
            ),
        }
    }
    outln!(
        "corpus id {}, content hash {}",
        manifest.corpus_id,
        manifest.content_hash
    );
    Ok(ExitCode::SUCCESS)
}

/// `--out` may be written: absent, empty, or (with `--force`) a corpus.
fn check_out(out: &Path, force: bool) -> anyhow::Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return Err(crate::exit::refused(format!(
            "--out {}: exists and is not a directory",
            out.display()
        )));
    }
    let empty = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none());
    if empty {
        return Ok(());
    }
    if !force {
        return Err(crate::exit::refused(format!(
            "--out {}: exists (pass --force to replace a corpus)",
            out.display()
        )));
    }
    if !out.join(MANIFEST_FILE).is_file() {
        return Err(crate::exit::refused(format!(
            "--out {}: not a corpus (no {MANIFEST_FILE}); --force only replaces a corpus",
            out.display()
        )));
    }
    Ok(())
}
