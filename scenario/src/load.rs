//! The loader: one scenario directory or a whole suite, with the inheritance and lookup rules
//! of `docs/CONTRACT.md` section 2, collecting every problem of a suite (file + field path) instead of stopping at
//! the first.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::Digest;

use crate::case::{Answer, Case, Context, Evidence, case_id};
use crate::files::{
    AnswerFile, EvidenceKind, PodsFile, Profile, ScenarioFile, Source, StateKind, UnavailableFile,
    is_unavailable,
};

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One problem found while loading: the file (relative to the suite root), the field path
/// inside it where known, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// `002-oom-killed/eks_pods.json`
    pub file: String,
    /// `pods[0].containers[0].restart_count`, or `None` for the whole file.
    pub field: Option<String>,
    /// `expected integer, got "8"`
    pub message: String,
}

impl Problem {
    /// A problem with a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            file: file.into(),
            field: None,
            message: message.into(),
        }
    }

    /// A problem at one field path of a file.
    pub fn field(
        file: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.into(),
            field: Some(field.into()),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: {}: {}", self.file, field, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Every problem of a load, sorted by file then field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// A loaded, validated scenario. Labels and case are kept apart.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    dir_name: String,
    file: ScenarioFile,
    answer_file: AnswerFile,
    case: Case,
}

impl Scenario {
    /// The directory name (may carry the label in hand-written suites: never show it to a classifier).
    pub fn dir_name(&self) -> &str {
        &self.dir_name
    }
    /// `scenario_id` from `scenario.yml`.
    pub fn id(&self) -> &str {
        &self.file.scenario_id
    }
    /// The merged `scenario.yml`.
    pub fn file(&self) -> &ScenarioFile {
        &self.file
    }
    /// The parsed `answer.yml`.
    pub fn answer_file(&self) -> &AnswerFile {
        &self.answer_file
    }
    /// What a classifier may see.
    pub fn case(&self) -> &Case {
        &self.case
    }
    /// Takes evidence sources away from the case (see [`crate::ablation`]); the answer and
    /// `scenario.yml` stay as they were.
    pub fn ablate(&mut self, kinds: &[EvidenceKind], how: crate::ablation::AblateAs) {
        for kind in kinds {
            crate::ablation::ablate(&mut self.case, *kind, how);
        }
    }

    /// The labels at every level.
    pub fn answer(&self) -> Answer {
        Answer {
            failure_mode: self.file.failure_mode,
            root_cause_category: self.answer_file.root_cause_category,
            root_cause: self.answer_file.root_cause,
            exit_code: self.answer_file.exit_code,
            affected_pod: self.answer_file.affected_pod.clone(),
            affected_container: self.answer_file.affected_container.clone(),
            acceptable_root_causes: self.answer_file.acceptable_root_causes.clone(),
            acceptable_categories: {
                let mut c = self.answer_file.equivalent_root_cause_categories.clone();
                for cause in &self.answer_file.acceptable_root_causes {
                    if !c.contains(&cause.category()) {
                        c.push(cause.category());
                    }
                }
                c.retain(|k| *k != self.answer_file.root_cause_category);
                c
            },
        }
    }

    /// Builds a scenario from parts (the generator's path), validating it as the loader would.
    pub fn from_parts(
        dir_name: &str,
        file: ScenarioFile,
        answer_file: AnswerFile,
        alert: crate::files::Alert,
        evidence: Evidence,
    ) -> Result<Scenario, Problems> {
        let mut problems = Vec::new();
        check_scenario_file(dir_name, &file, &mut problems);
        // The generator's own scenarios keep SPEC's 0..3 (OpenSRE's loader takes any).
        if file.scenario_difficulty > 3 {
            problems.push(Problem::field(
                format!("{dir_name}/scenario.yml"),
                "scenario_difficulty",
                format!("expected 0..3, got {}", file.scenario_difficulty),
            ));
        }
        check_answer(dir_name, &file, &answer_file, &mut problems);
        if let Ok(value) = serde_json::to_value(&answer_file) {
            problems.extend(crate::opensre_rules::answer_yml(
                &value,
                &format!("{dir_name}/answer.yml"),
            ));
        }
        for kind in &file.available_evidence {
            if !evidence_listed(&evidence, *kind) {
                problems.push(Problem::field(
                    format!("{dir_name}/scenario.yml"),
                    "available_evidence",
                    format!("lists {} but no content was given", kind.as_str()),
                ));
            }
        }
        if let Some(Source::Available(pods)) = &evidence.eks_pods {
            check_pods(&format!("{dir_name}/eks_pods.json"), pods, &mut problems);
        }
        if !problems.is_empty() {
            problems.sort();
            return Err(Problems(problems));
        }
        let case = make_case(&file, alert, evidence);
        Ok(Scenario {
            dir_name: dir_name.to_owned(),
            file,
            answer_file,
            case,
        })
    }

    /// Parses a scenario from its files given in memory as `(file name, text)` (what the
    /// generator's `render_scenario` returns), with the checks of loading; a self-contained
    /// scenario only (a `base` needs its sibling on disk). Problems name `<dir_name>/<file>`.
    pub fn from_files(dir_name: &str, files: &[(String, String)]) -> Result<Scenario, Problems> {
        let shown = |file: &str| format!("{dir_name}/{file}");
        let text = |file: &str| -> Result<&str, Problem> {
            files
                .iter()
                .find(|(name, _)| name == file)
                .map(|(_, text)| text.as_str())
                .ok_or_else(|| Problem::file(shown(file), "missing"))
        };
        let one = |p: Problem| Problems(vec![p]);
        let file: ScenarioFile = text("scenario.yml")
            .and_then(|t| parse_yaml(t, &shown("scenario.yml")))
            .and_then(|v| typed(v, &shown("scenario.yml")))
            .map_err(one)?;
        if file.base.is_some() {
            return Err(one(Problem::field(
                shown("scenario.yml"),
                "base",
                "a scenario built in memory must be self-contained",
            )));
        }
        let mut problems = Vec::new();
        let answer: Option<AnswerFile> = text("answer.yml")
            .and_then(|t| parse_yaml(t, &shown("answer.yml")))
            .and_then(|v| typed(v, &shown("answer.yml")))
            .map_err(|p| problems.push(p))
            .ok();
        let alert: Option<crate::files::Alert> = text("alert.json")
            .and_then(|t| typed_json(t, &shown("alert.json")))
            .map_err(|p| problems.push(p))
            .ok();
        let mut evidence = Evidence::default();
        for kind in &file.available_evidence {
            let name = kind.file_name();
            match text(&name) {
                Ok(t) => {
                    if let Err(p) =
                        parse_evidence(&mut evidence, *kind, t.to_owned(), &shown(&name))
                    {
                        problems.extend(p);
                    }
                }
                Err(p) => problems.push(p),
            }
        }
        match (answer, alert) {
            (Some(answer), Some(alert)) if problems.is_empty() => {
                Scenario::from_parts(dir_name, file, answer, alert, evidence)
            }
            _ => Err(sorted(problems)),
        }
    }

    /// Writes the scenario as a self-contained directory (no `base`), the inverse of loading.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut file = self.file.clone();
        file.base = None;
        let yaml = |v: &dyn erased::Yaml| v.to_yaml();
        std::fs::write(dir.join("scenario.yml"), yaml(&file))?;
        std::fs::write(dir.join("answer.yml"), yaml(&self.answer_file))?;
        write_json(&dir.join("alert.json"), &self.case.alert)?;
        let ev = &self.case.evidence;
        macro_rules! put {
            ($($field:ident),+) => {$(
                if let Some(src) = &ev.$field {
                    write_json(&dir.join(concat!(stringify!($field), ".json")), src)?;
                }
            )+};
        }
        put!(
            eks_pods,
            eks_events,
            eks_deployments,
            eks_node_health,
            eks_pod_logs,
            datadog_logs,
            datadog_monitors
        );
        Ok(())
    }
}

mod erased {
    //! A tiny helper so `write_to` can serialize two YAML types through one closure.
    pub(super) trait Yaml {
        fn to_yaml(&self) -> String;
    }
    impl<T: serde::Serialize> Yaml for T {
        fn to_yaml(&self) -> String {
            serde_saphyr::to_string(self)
                .unwrap_or_else(|e| format!("# serialization failed: {e}\n"))
        }
    }
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)
}

/// A loaded suite: scenarios in directory-name order.
#[derive(Clone, Debug)]
pub struct Suite {
    root: PathBuf,
    scenarios: Vec<Scenario>,
}

impl Suite {
    /// The directory it was loaded from.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// Scenarios in directory-name order.
    pub fn scenarios(&self) -> &[Scenario] {
        &self.scenarios
    }

    /// A suite built in memory (from [`Scenario::from_parts`], or scenarios of other suites),
    /// named `root` in messages and reports. Scenarios are put in directory-name order; a
    /// repeated directory name or scenario id is a problem, as it is for a suite on disk.
    pub fn from_scenarios(
        root: impl Into<PathBuf>,
        mut scenarios: Vec<Scenario>,
    ) -> Result<Suite, Problems> {
        let root = root.into();
        if scenarios.is_empty() {
            return Err(Problems(vec![Problem::file(
                root.display().to_string(),
                "no scenarios",
            )]));
        }
        scenarios.sort_by(|a, b| a.dir_name.cmp(&b.dir_name));
        let mut problems = Vec::new();
        let mut ids: HashMap<&str, &str> = HashMap::new();
        for (i, s) in scenarios.iter().enumerate() {
            if i > 0 && scenarios[i - 1].dir_name == s.dir_name {
                problems.push(Problem::file(
                    s.dir_name.clone(),
                    "duplicate scenario directory name",
                ));
            }
            if let Some(first) = ids.insert(s.id(), s.dir_name()) {
                problems.push(Problem::field(
                    format!("{}/scenario.yml", s.dir_name()),
                    "scenario_id",
                    format!(
                        "duplicate scenario id \"{}\" (also used by {first}/)",
                        s.id()
                    ),
                ));
            }
        }
        if problems.is_empty() {
            Ok(Suite { root, scenarios })
        } else {
            Err(sorted(problems))
        }
    }
}

/// Whether a directory name is a scenario directory: it starts with three ASCII digits.
pub fn is_scenario_dir_name(name: &str) -> bool {
    name.len() >= 3 && name.as_bytes()[..3].iter().all(u8::is_ascii_digit)
}

/// Everything a load found: the scenarios that loaded, the directories that did not, and every
/// problem. `validate` shows all three; [`load`] turns any problem into an error.
#[derive(Clone, Debug)]
pub struct LoadReport {
    /// The suite root (the parent, for a single scenario directory).
    pub root: PathBuf,
    /// Scenarios that loaded, in directory-name order.
    pub scenarios: Vec<Scenario>,
    /// Scenario directories that did not load.
    pub failed: Vec<String>,
    /// Every problem, sorted by file then field.
    pub problems: Vec<Problem>,
}

impl LoadReport {
    /// The scenarios that loaded, as a suite (what `eval --skip-invalid` evaluates).
    pub fn into_suite(self) -> Suite {
        Suite {
            root: self.root,
            scenarios: self.scenarios,
        }
    }

    /// The problems of each directory that did not load, in directory order. A problem that
    /// belongs to no failed directory (a duplicate id, a suite-level error) is listed under
    /// its file's first path segment.
    pub fn problems_by_dir(&self) -> Vec<(String, Vec<String>)> {
        self.failed
            .iter()
            .map(|dir| {
                let own: Vec<String> = self
                    .problems
                    .iter()
                    .filter(|p| p.file.split('/').next() == Some(dir.as_str()))
                    .map(ToString::to_string)
                    .collect();
                (dir.clone(), own)
            })
            .collect()
    }
}

/// Loads `path`: a single scenario directory (it has a `scenario.yml`) or a suite directory
/// (every subdirectory whose name starts with three digits). Returns every problem found.
pub fn load(path: &Path) -> Result<Suite, Problems> {
    load_profile(path, Profile::Opensre)
}

/// Like [`load`], reading the evidence of `profile`: the `opensre` files, or the raw objects
/// under `k8s-api/` (strictly checked; the cases then carry them in `Case::k8s_api`).
pub fn load_profile(path: &Path, profile: Profile) -> Result<Suite, Problems> {
    let report = load_report_profile(path, profile);
    if report.problems.is_empty() {
        Ok(Suite {
            root: report.root,
            scenarios: report.scenarios,
        })
    } else {
        Err(Problems(report.problems))
    }
}

/// Like [`load`], but keeps what loaded next to what did not.
pub fn load_report(path: &Path) -> LoadReport {
    load_report_profile(path, Profile::Opensre)
}

/// Like [`load_report`], reading the evidence of `profile`.
pub fn load_report_profile(path: &Path, profile: Profile) -> LoadReport {
    load_report_in(path, profile, &ScenarioYamlCache::default())
}

fn load_report_in(path: &Path, profile: Profile, cache: &ScenarioYamlCache) -> LoadReport {
    let reader = match CorpusReader::open_in(path, profile, Cache::Borrowed(cache)) {
        Ok(r) => r,
        Err(p) => {
            return LoadReport {
                root: path.to_path_buf(),
                scenarios: Vec::new(),
                failed: Vec::new(),
                problems: vec![p],
            };
        }
    };
    let results: Vec<Result<Scenario, Vec<Problem>>> = reader
        .names
        .par_iter()
        .map(|name| reader.load(name))
        .collect();
    let mut failed: Vec<String> = reader.problems.iter().map(|p| p.file.clone()).collect();
    let mut problems = reader.problems.clone();
    let mut scenarios = Vec::with_capacity(results.len());
    for (name, r) in reader.names.iter().zip(results) {
        match r {
            Ok(s) => scenarios.push(s),
            Err(p) => {
                failed.push(name.clone());
                problems.extend(p);
            }
        }
    }
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for s in &scenarios {
        if let Some(first) = seen.insert(s.id(), s.dir_name()) {
            problems.push(Problem::field(
                format!("{}/scenario.yml", s.dir_name()),
                "scenario_id",
                format!(
                    "duplicate scenario id \"{}\" (also used by {first}/)",
                    s.id()
                ),
            ));
        }
    }
    let Problems(problems) = sorted(problems);
    LoadReport {
        root: reader.root,
        scenarios,
        failed,
        problems,
    }
}

/// A corpus opened for reading one scenario at a time, in order: what a streaming reader (one
/// that never holds the whole suite) builds on. [`load_report`] is this reader's scenarios
/// loaded all at once, plus the suite-level checks (repeated scenario ids) that need them all.
#[derive(Debug)]
pub struct CorpusReader<'c> {
    root: PathBuf,
    names: Vec<String>,
    problems: Vec<Problem>,
    profile: Profile,
    cache: Cache<'c>,
    pack: Option<crate::pack::Pack>,
}

/// The `(path relative to the corpus root, length, SHA-256)` of every file of a scenario.
pub type FileDigests = Vec<(String, u64, [u8; 32])>;

/// The reader's cache of parsed `scenario.yml` files: its own, or the caller's.
#[derive(Debug)]
enum Cache<'c> {
    Owned(ScenarioYamlCache),
    Borrowed(&'c ScenarioYamlCache),
}

impl std::ops::Deref for Cache<'_> {
    type Target = ScenarioYamlCache;
    fn deref(&self) -> &ScenarioYamlCache {
        match self {
            Cache::Owned(c) => c,
            Cache::Borrowed(c) => c,
        }
    }
}

impl CorpusReader<'static> {
    /// Opens `path`: a single scenario directory (it has a `scenario.yml`) or a suite directory
    /// (every subdirectory whose name starts with three digits), to read in `profile`. Fails
    /// when the path cannot be listed or holds no scenario.
    pub fn open(path: &Path, profile: Profile) -> Result<CorpusReader<'static>, Problem> {
        CorpusReader::open_in(path, profile, Cache::Owned(ScenarioYamlCache::default()))
    }
}

impl<'c> CorpusReader<'c> {
    fn open_in(
        path: &Path,
        profile: Profile,
        cache: Cache<'c>,
    ) -> Result<CorpusReader<'c>, Problem> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|e| Problem::file(&shown, format!("cannot open: {e}")))?;
        if !meta.is_dir() {
            return Err(Problem::file(&shown, "not a directory"));
        }
        if crate::pack::is_pack(path) {
            let (pack, problems) = crate::pack::Pack::open(path).map_err(|mut p| {
                p.file = format!("{shown}/{}", p.file);
                p
            })?;
            return Ok(CorpusReader {
                root: path.to_path_buf(),
                names: pack.names(),
                problems,
                profile,
                cache,
                pack: Some(pack),
            });
        }
        let (root, names, problems) = if path.join("scenario.yml").is_file() {
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                return Err(Problem::file(&shown, "has no directory name"));
            };
            let root = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            (root, vec![name], Vec::new())
        } else {
            let (names, problems) = scenario_dirs(path)?;
            (path.to_path_buf(), names, problems)
        };
        Ok(CorpusReader {
            root,
            names,
            problems,
            profile,
            cache,
            pack: None,
        })
    }

    /// The suite root (the parent, for a single scenario directory).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The scenario directory names, sorted.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Problems found while listing (entries that look like scenarios but cannot be read by
    /// name); each names its entry as its file.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Loads the scenario directory `name` (one of [`CorpusReader::names`]) with every check
    /// of loading but the suite-level ones.
    pub fn load(&self, name: &str) -> Result<Scenario, Vec<Problem>> {
        match &self.pack {
            None => load_one(&Files::Dir(&self.root), name, self.profile, &self.cache),
            Some(pack) => {
                let files = Files::Mem(Mem::new(MemFrom::Pack(pack)));
                load_one(&files, name, self.profile, &self.cache)
            }
        }
    }

    /// Whether the corpus is a pack (`pack.json`, shard indexes and tar shards) rather than
    /// directories.
    pub fn is_pack(&self) -> bool {
        self.pack.is_some()
    }

    /// Forgets the parsed `scenario.yml` of each of `names` that no scenario named as its
    /// `base:` so far, so a reader that loads a corpus chunk by chunk and releases each chunk
    /// holds the bases' files only, not one per scenario (a base first named by a later child
    /// is parsed again then, and kept).
    pub fn release<S: AsRef<str>>(&self, names: &[S]) {
        let bases = self
            .cache
            .bases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut maps = self
            .cache
            .maps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for name in names {
            let name = name.as_ref();
            if !bases.contains(name) {
                maps.remove(name);
            }
        }
    }

    /// How many parsed `scenario.yml` files the reader's cache holds (for tests of the bound).
    pub fn cached_files(&self) -> usize {
        self.cache
            .maps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// [`CorpusReader::load`], reading every file of the scenario once (into memory, then
    /// parsed from there), and with it the `(path relative to the corpus root, length,
    /// SHA-256)` of each of its files, sorted by path (what the corpus content hash is
    /// combined from, without reading the files again). The digests come even when the
    /// scenario does not load, as long as its files could be read; a file that cannot be read
    /// (a symbolic link, an unreadable file, a corrupt pack member) is a problem of the
    /// scenario, and then no digest is returned.
    pub fn load_hashed(&self, name: &str) -> (Result<Scenario, Vec<Problem>>, FileDigests) {
        let (own, mem) = match &self.pack {
            Some(pack) => (
                pack.read(name).map_err(|p| vec![p]),
                Mem::new(MemFrom::Pack(pack)),
            ),
            None => (
                read_scenario_dir(&self.root, name),
                Mem::new(MemFrom::Dir(&self.root)),
            ),
        };
        let own = match own {
            Ok(own) => own,
            Err(problems) => return (Err(problems), Vec::new()),
        };
        let mut digests: FileDigests = own
            .iter()
            .map(|(rel, bytes)| {
                (
                    format!("{name}/{rel}"),
                    bytes.len() as u64,
                    sha2::Sha256::digest(bytes).into(),
                )
            })
            .collect();
        digests.sort();
        mem.put(name, Ok(own.into_iter().collect()));
        (
            load_one(&Files::Mem(mem), name, self.profile, &self.cache),
            digests,
        )
    }
}

fn sorted(mut problems: Vec<Problem>) -> Problems {
    problems.sort();
    problems.dedup();
    Problems(problems)
}

/// The scenario directory names of a suite, and a problem for each entry that looks like one
/// but cannot be loaded by name (a name that is not UTF-8).
fn scenario_dirs(root: &Path) -> Result<(Vec<String>, Vec<Problem>), Problem> {
    let shown = root.display().to_string();
    let entries =
        std::fs::read_dir(root).map_err(|e| Problem::file(&shown, format!("cannot list: {e}")))?;
    let mut names = Vec::new();
    let mut problems = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Problem::file(&shown, format!("cannot list: {e}")))?;
        let raw = entry.file_name();
        let lossy = raw.to_string_lossy().into_owned();
        if !is_scenario_dir_name(&lossy) {
            continue;
        }
        // A link is listed too, so that loading it reports it (symbolic links are refused).
        let ty = entry.file_type().ok();
        let candidate = ty.is_some_and(|t| t.is_dir() || t.is_symlink());
        if !candidate {
            continue;
        }
        if raw.to_str().is_none() {
            problems.push(Problem::file(
                lossy.clone(),
                "directory name is not valid UTF-8 (scenario directory names must be UTF-8; \
                 rename it)",
            ));
            continue;
        }
        names.push(lossy);
    }
    if names.is_empty() && problems.is_empty() {
        return Err(Problem::file(
            &shown,
            "no scenarios found (expected subdirectories whose names start with three digits, or a scenario.yml)",
        ));
    }
    names.sort();
    Ok((names, problems))
}

/// Where the loader reads a scenario's files: a directory tree (checked entry by entry:
/// symbolic links, FIFOs and devices are refused, never opened), or memory (the members of a
/// pack, or a scenario directory read whole by [`CorpusReader::load_hashed`]). Paths are
/// relative to the corpus root (`00042/alert.json`); the checks and messages are the same.
#[derive(Debug)]
pub(crate) enum Files<'a> {
    /// Files under this root.
    Dir(&'a Path),
    /// Scenario files in memory, by scenario name; others are fetched from the pack (or the
    /// directory) when first asked for (a `base:` sibling).
    Mem(Mem<'a>),
}

/// A scenario's files (path inside the scenario directory to bytes), or the problem that kept
/// them from being read.
type MemScenario = Result<HashMap<String, Vec<u8>>, Problem>;

/// In-memory scenario files, by scenario name.
#[derive(Debug)]
pub(crate) struct Mem<'a> {
    from: MemFrom<'a>,
    loaded: std::sync::Mutex<HashMap<String, MemScenario>>,
}

#[derive(Debug)]
enum MemFrom<'a> {
    Pack(&'a crate::pack::Pack),
    Dir(&'a Path),
}

impl<'a> Mem<'a> {
    fn new(from: MemFrom<'a>) -> Mem<'a> {
        Mem {
            from,
            loaded: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn put(&self, name: &str, files: Result<HashMap<String, Vec<u8>>, Problem>) {
        self.loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_owned(), files);
    }

    /// Runs `f` on the files of scenario `name` (`None`: the corpus has no such scenario).
    fn with<T>(
        &self,
        name: &str,
        f: impl FnOnce(Option<&HashMap<String, Vec<u8>>>) -> T,
    ) -> Result<T, Problem> {
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !loaded.contains_key(name) {
            let got = match self.from {
                MemFrom::Pack(p) if !p.has(name) => return Ok(f(None)),
                MemFrom::Pack(p) => p.read(name).map(|v| v.into_iter().collect()),
                MemFrom::Dir(root) => {
                    if !corpus_dir(&root.join(name), name)? {
                        return Ok(f(None));
                    }
                    read_scenario_dir(root, name)
                        .map(|v| v.into_iter().collect())
                        .map_err(|mut p| p.remove(0))
                }
            };
            loaded.insert(name.to_owned(), got);
        }
        match &loaded[name] {
            Ok(files) => Ok(f(Some(files))),
            Err(p) => Err(p.clone()),
        }
    }
}

impl Files<'_> {
    /// Like [`corpus_file`].
    pub(crate) fn file(&self, rel: &str, shown: &str) -> Result<bool, Problem> {
        match self {
            Files::Dir(root) => corpus_file(&root.join(rel), shown),
            Files::Mem(m) => {
                let Some((name, inner)) = rel.split_once('/') else {
                    return Ok(false);
                };
                m.with(name, |files| {
                    let Some(files) = files else { return Ok(false) };
                    if files.contains_key(inner) {
                        Ok(true)
                    } else if is_dir_in(files, inner) {
                        Err(Problem::file(shown, "is a directory, not a regular file"))
                    } else {
                        Ok(false)
                    }
                })?
            }
        }
    }

    /// Like [`corpus_dir`].
    pub(crate) fn dir(&self, rel: &str, shown: &str) -> Result<bool, Problem> {
        match self {
            Files::Dir(root) => corpus_dir(&root.join(rel), shown),
            Files::Mem(m) => {
                let (name, inner) = rel.split_once('/').unwrap_or((rel, ""));
                m.with(name, |files| {
                    let Some(files) = files else { return Ok(false) };
                    if inner.is_empty() || is_dir_in(files, inner) {
                        Ok(true)
                    } else if files.contains_key(inner) {
                        Err(Problem::file(shown, "is a regular file, not a directory"))
                    } else {
                        Ok(false)
                    }
                })?
            }
        }
    }

    /// Like [`read_text`].
    pub(crate) fn text(&self, rel: &str, shown: &str) -> Result<String, Problem> {
        match self {
            Files::Dir(root) => read_text(&root.join(rel), shown),
            Files::Mem(m) => {
                let (name, inner) = rel.split_once('/').unwrap_or((rel, ""));
                m.with(name, |files| match files.and_then(|f| f.get(inner)) {
                    None => Err(Problem::file(shown, "cannot read: not in the corpus")),
                    Some(bytes) => bytes_text(bytes.clone(), bytes.len() as u64, shown),
                })?
            }
        }
    }
}

fn is_dir_in(files: &HashMap<String, Vec<u8>>, inner: &str) -> bool {
    files
        .keys()
        .any(|k| k.len() > inner.len() && k.starts_with(inner) && k.as_bytes()[inner.len()] == b'/')
}

/// The size limit and UTF-8 check of [`read_text`], on bytes already read.
fn bytes_text(bytes: Vec<u8>, len: u64, shown: &str) -> Result<String, Problem> {
    if len > MAX_FILE_BYTES {
        return Err(Problem::file(
            shown,
            format!(
                "file is {len} bytes, over the {} MiB limit",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        Problem::file(
            shown,
            format!(
                "not valid UTF-8 (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Every regular file of the scenario directory `root/name` read once: `(path inside it,
/// bytes)`, sorted by path. A link, FIFO, device or file over the size limit is a problem (as
/// for the loader), never opened.
pub fn read_scenario_dir(root: &Path, name: &str) -> Result<Vec<(String, Vec<u8>)>, Vec<Problem>> {
    fn walk(
        dir: &Path,
        rel: &str,
        shown: &str,
        out: &mut Vec<(String, Vec<u8>)>,
        problems: &mut Vec<Problem>,
    ) {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                problems.push(Problem::file(shown, format!("cannot list: {e}")));
                return;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    problems.push(Problem::file(shown, format!("cannot list: {e}")));
                    return;
                }
            };
            let file = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                file
            } else {
                format!("{rel}/{file}")
            };
            let path = entry.path();
            let child_shown = format!("{shown}/{rel}");
            match entry_type(&path, &child_shown) {
                Err(p) => problems.push(p),
                Ok(None) => {}
                Ok(Some(t)) if t.is_dir() => walk(&path, &rel, shown, out, problems),
                Ok(Some(t)) if t.is_file() => match read_text(&path, &child_shown) {
                    Ok(text) => out.push((rel, text.into_bytes())),
                    // Kept as bytes: parsing names the problem only if the file is used.
                    Err(p) if p.message.starts_with("not valid UTF-8") => {
                        match std::fs::read(&path) {
                            Ok(b) => out.push((rel, b)),
                            Err(e) => problems
                                .push(Problem::file(child_shown, format!("cannot read: {e}"))),
                        }
                    }
                    Err(p) => problems.push(p),
                },
                Ok(Some(t)) => problems.push(Problem::file(
                    child_shown,
                    format!("is {}, not a regular file", file_type_name(t)),
                )),
            }
        }
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    walk(&root.join(name), "", name, &mut out, &mut problems);
    if problems.is_empty() {
        out.sort();
        Ok(out)
    } else {
        problems.sort();
        Err(problems)
    }
}

/// Reads a regular file (a link to one is followed: corpus readers check for links first) as
/// UTF-8 text within the size limit.
pub fn read_text(path: &Path, shown: &str) -> Result<String, Problem> {
    let meta =
        std::fs::metadata(path).map_err(|e| Problem::file(shown, format!("cannot read: {e}")))?;
    // Never open a FIFO (it would block) or a device (it may never end).
    if !meta.is_file() {
        return Err(Problem::file(
            shown,
            format!(
                "is {}, not a regular file",
                file_type_name(meta.file_type())
            ),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Problem::file(
            shown,
            format!(
                "file is {} bytes, over the {} MiB limit",
                meta.len(),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Problem::file(shown, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        Problem::file(
            shown,
            format!(
                "not valid UTF-8 (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Whether `path` is in the corpus as a regular file: `Ok(false)` when nothing is there, a
/// problem naming it when something else is (a symbolic link, with its target: symbolic links
/// are refused in a corpus, as the content hash covers regular files only; a directory, a FIFO,
/// a device: never opened). Nothing is followed or opened.
pub(crate) fn corpus_file(path: &Path, shown: &str) -> Result<bool, Problem> {
    match entry_type(path, shown)? {
        None => Ok(false),
        Some(t) if t.is_file() => Ok(true),
        Some(t) => Err(Problem::file(
            shown,
            format!("is {}, not a regular file", file_type_name(t)),
        )),
    }
}

/// Like [`corpus_file`], for a directory.
pub(crate) fn corpus_dir(path: &Path, shown: &str) -> Result<bool, Problem> {
    match entry_type(path, shown)? {
        None => Ok(false),
        Some(t) if t.is_dir() => Ok(true),
        Some(t) => Err(Problem::file(
            shown,
            format!("is {}, not a directory", file_type_name(t)),
        )),
    }
}

/// The type of what is at `path` without following a link; a link is a problem.
fn entry_type(path: &Path, shown: &str) -> Result<Option<std::fs::FileType>, Problem> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Problem::file(shown, format!("cannot read: {e}"))),
        Ok(m) if m.file_type().is_symlink() => {
            let target = std::fs::read_link(path).map_or_else(
                |e| format!("an unreadable target ({e})"),
                |t| t.display().to_string(),
            );
            Err(Problem::file(
                shown,
                format!(
                    "is a symbolic link to {target}: symbolic links are not allowed in a corpus \
                     (copy the file or directory instead)"
                ),
            ))
        }
        Ok(m) => Ok(Some(m.file_type())),
    }
}

fn file_type_name(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Parses `answer.yml` text on its own (for `import --answer`): YAML, OpenSRE's answer rules,
/// the typed model; every problem names `shown` and the field.
pub fn parse_answer(text: &str, shown: &str) -> Result<AnswerFile, Vec<Problem>> {
    let value = parse_yaml(text, shown).map_err(|p| vec![p])?;
    let mut problems = crate::opensre_rules::answer_yml(&value, shown);
    match typed::<AnswerFile>(value, shown) {
        Ok(a) if problems.is_empty() => Ok(a),
        Ok(_) => Err(problems),
        Err(p) => {
            problems.push(p);
            Err(problems)
        }
    }
}

/// Parses YAML text into a JSON value (so YAML and JSON share one typed, path-reporting step).
fn parse_yaml(text: &str, shown: &str) -> Result<Value, Problem> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| {
        // serde-saphyr appends a source snippet on further lines; one line is enough here.
        let full = e.to_string();
        let first = full.lines().next().unwrap_or("");
        let first = first.strip_prefix("error: ").unwrap_or(first);
        match budget_words(first) {
            Some(words) => Problem::file(shown, format!("YAML over a parser limit: {words}")),
            None => Problem::file(shown, format!("malformed YAML: {first}")),
        }
    })
}

/// serde-saphyr says which of its limits a document breached in Rust Debug text
/// (`budget breached: Depth { depth: 65 }`): this says it in words, keeping the location.
fn budget_words(message: &str) -> Option<String> {
    let rest = &message[message.find("budget breached: ")? + "budget breached: ".len()..];
    let name: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let after = rest.find('}').map_or("", |i| rest[i + 1..].trim());
    let words = match name.as_str() {
        "Depth" => "nested deeper than 64 levels".to_owned(),
        "Events" => "more than 1,000,000 parser events (the document is far too large)".to_owned(),
        "Aliases" => "more than 50,000 alias references (*name)".to_owned(),
        "Anchors" => "more than 50,000 anchors (&name)".to_owned(),
        "AliasAnchorRatio" => {
            "aliases expand far beyond the anchors they refer to (an alias bomb)".to_owned()
        }
        "Documents" => "more than 1,024 YAML documents".to_owned(),
        "Nodes" => "too many nodes (the document is far too large)".to_owned(),
        "ScalarBytes" => "a scalar value is too large".to_owned(),
        "InputBytes" => "the input is too large".to_owned(),
        "MergeKeys" => "too many merge keys (<<)".to_owned(),
        "CommentBytes" => "the comments are too large".to_owned(),
        "InclusionDepth" => "includes nested too deeply".to_owned(),
        other => {
            let mut w = String::new();
            for c in other.chars() {
                if c.is_ascii_uppercase() && !w.is_empty() {
                    w.push(' ');
                }
                w.push(c.to_ascii_lowercase());
            }
            format!("too many {w}")
        }
    };
    Some(if after.is_empty() {
        words
    } else {
        format!("{words} ({after})")
    })
}

fn parse_json(text: &str, shown: &str) -> Result<Value, Problem> {
    crate::json_check::parse(text).map_err(|e| Problem::file(shown, format!("malformed JSON: {e}")))
}

/// Parses JSON text into `T`: one direct pass on the hot path; only when that fails, the slower
/// value-first path that names the field path of the first mismatch (so messages are the same
/// whichever path a file takes).
fn typed_json<T: DeserializeOwned>(text: &str, shown: &str) -> Result<T, Problem> {
    crate::json_check::check(text)
        .map_err(|e| Problem::file(shown, format!("malformed JSON: {e}")))?;
    match serde_json::from_str::<T>(text) {
        Ok(t) => Ok(t),
        Err(_) => parse_json(text, shown).and_then(|v| typed(v, shown)),
    }
}

/// Deserializes a value into `T`, naming the field path of the first mismatch.
fn typed<T: DeserializeOwned>(value: Value, shown: &str) -> Result<T, Problem> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = humanize(&e.inner().to_string());
        if path == "." || path.is_empty() {
            Problem::file(shown, message)
        } else {
            Problem::field(shown, path, message)
        }
    })
}

/// Turns serde's messages into the project's form: `expected integer, got "8"`.
pub(crate) fn humanize(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    if let Some(rest) = msg.strip_prefix("invalid type: ")
        && let Some((got, expected)) = rest.split_once(", expected ")
    {
        let got = got.strip_prefix("string ").unwrap_or(got);
        return format!("expected {}, got {}", nice_type(expected), got);
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ")
        && let Some((got, expected)) = rest.split_once(", expected ")
    {
        let got = got.strip_prefix("string ").unwrap_or(got);
        return format!("expected {}, got {}", nice_type(expected), got);
    }
    if let Some(field) = msg.strip_prefix("missing field ") {
        return format!("missing required field {}", field.replace('`', "\""));
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        return format!("unknown value {}", rest.replace('`', "\""));
    }
    msg.to_owned()
}

fn nice_type(expected: &str) -> &str {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" => "integer",
        "a boolean" => "boolean",
        "a string" | "a borrowed string" => "string",
        "a sequence" => "list",
        "f64" | "f32" => "number",
        other => other.strip_prefix("struct ").map_or(other, |_| "object"),
    }
}

/// Loads `root/name` (and its base, if any) into a scenario, or every problem found.
/// Every `scenario.yml` of a suite parsed once, however many children name it as their base
/// (a slow document, an alias bomb within the parser's limits, is paid for once, not once per
/// child).
#[derive(Debug, Default)]
struct ScenarioYamlCache {
    maps: std::sync::Mutex<HashMap<String, ParsedCell>>,
    /// The names asked for as a `base:`: [`CorpusReader::release`] keeps these.
    bases: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Files parsed so far.
    parses: std::sync::atomic::AtomicUsize,
}

type ParsedCell =
    std::sync::Arc<std::sync::OnceLock<Result<serde_json::Map<String, Value>, Problem>>>;

impl ScenarioYamlCache {
    /// `root/name/scenario.yml` as a mapping (parsed on first use); the caller has checked
    /// that it is a regular file.
    fn get(&self, files: &Files, name: &str) -> Result<serde_json::Map<String, Value>, Problem> {
        let cell = {
            let mut maps = self
                .maps
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            std::sync::Arc::clone(maps.entry(name.to_owned()).or_default())
        };
        cell.get_or_init(|| {
            self.parses
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let shown = format!("{name}/scenario.yml");
            files
                .text(&format!("{name}/scenario.yml"), &shown)
                .and_then(|t| parse_yaml(&t, &shown))
                .and_then(|v| as_map(v, &shown))
        })
        .clone()
    }
}

fn load_one(
    files: &Files,
    name: &str,
    profile: Profile,
    cache: &ScenarioYamlCache,
) -> Result<Scenario, Vec<Problem>> {
    let shown = |file: &str| format!("{name}/{file}");
    let mut problems = Vec::new();

    files.dir(name, name).map_err(|p| vec![p])?;
    if !files
        .file(&shown("scenario.yml"), &shown("scenario.yml"))
        .map_err(|p| vec![p])?
    {
        return Err(vec![Problem::file(
            shown("scenario.yml"),
            "missing (every scenario directory needs one)",
        )]);
    }
    let own = cache.get(files, name).map_err(|p| vec![p])?;

    // Inheritance: one level, a plain sibling name, no chains, no cycles.
    let mut base_dir: Option<String> = None;
    let mut merged = own.clone();
    if let Some(base) = own.get("base") {
        match resolve_base(files, name, base, cache) {
            Ok((base_name, base_map)) => {
                for (k, v) in base_map {
                    merged.entry(k).or_insert(v);
                }
                base_dir = Some(base_name);
            }
            Err(p) => {
                problems.push(p);
                check_answer_file_alone(files, name, &mut problems);
                return Err(problems);
            }
        }
    }
    let scenario_file =
        match typed::<ScenarioFile>(Value::Object(merged.clone()), &shown("scenario.yml")) {
            Ok(f) => f,
            Err(mut p) => {
                inherited_note(&mut p, &own, base_dir.as_deref());
                problems.push(p);
                check_answer_file_alone(files, name, &mut problems);
                return Err(problems);
            }
        };
    check_scenario_file(name, &scenario_file, &mut problems);

    // answer.yml belongs to the scenario itself: labels are never inherited.
    let answer_path = shown("answer.yml");
    let answer_there = files
        .file(&answer_path, &answer_path)
        .map_err(|p| problems.push(p))
        .ok();
    let answer = if answer_there == Some(true) {
        files
            .text(&answer_path, &answer_path)
            .and_then(|t| parse_yaml(&t, &shown("answer.yml")))
            .inspect(|v| {
                problems.extend(crate::opensre_rules::answer_yml(v, &shown("answer.yml")));
            })
            .and_then(|v| typed::<AnswerFile>(v, &shown("answer.yml")))
            .map_err(|p| problems.push(p))
            .ok()
    } else {
        if answer_there == Some(false) {
            problems.push(Problem::file(
                shown("answer.yml"),
                "missing (every scenario needs its own answer)",
            ));
        }
        None
    };
    if let Some(a) = &answer {
        check_answer(name, &scenario_file, a, &mut problems);
    }

    // alert.json and evidence: child first, then base.
    // Something that is there but is not a regular file is a problem, never a reason to
    // fall back to the base's file.
    let lookup = |file: &str| -> Result<Option<(String, String)>, Problem> {
        if files.file(&shown(file), &shown(file))? {
            return Ok(Some((shown(file), shown(file))));
        }
        let Some(base_name) = base_dir.as_ref() else {
            return Ok(None);
        };
        let inherited = format!("{base_name}/{file}");
        Ok(files
            .file(&inherited, &inherited)?
            .then_some((inherited.clone(), inherited)))
    };
    let alert = match lookup("alert.json") {
        Err(p) => {
            problems.push(p);
            None
        }
        Ok(Some((path, shown_path))) => files
            .text(&path, &shown_path)
            .and_then(|t| typed_json(&t, &shown_path))
            .map_err(|p| problems.push(p))
            .ok(),
        Ok(None) => {
            problems.push(Problem::file(
                shown("alert.json"),
                "missing (looked in the scenario and its base)",
            ));
            None
        }
    };

    let mut evidence = Evidence::default();
    let mut raw = None;
    let mut seen = Vec::new();
    if profile == Profile::K8sApi {
        let own_shown = format!("{name}/{}", crate::k8s_api::DIR);
        if let Err(p) = files.dir(&own_shown, &own_shown) {
            problems.push(p);
        }
        let base = base_dir
            .as_ref()
            .map(|b| format!("{b}/{}", crate::k8s_api::DIR));
        match crate::k8s_api::load_from(
            files,
            &own_shown,
            &own_shown,
            base.as_deref().map(|b| (b, b)),
            &scenario_file.available_evidence,
        ) {
            Ok(r) => raw = Some(r),
            Err(p) => problems.extend(p),
        }
    }
    let opensre_files: &[EvidenceKind] = if profile == Profile::K8sApi {
        &[]
    } else {
        &scenario_file.available_evidence
    };
    for (i, kind) in opensre_files.iter().enumerate() {
        if seen.contains(kind) {
            problems.push(Problem::field(
                shown("scenario.yml"),
                format!("available_evidence[{i}]"),
                format!("{} is listed twice", kind.as_str()),
            ));
            continue;
        }
        seen.push(*kind);
        let file = kind.file_name();
        let found = match lookup(&file) {
            Ok(found) => found,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let Some((path, shown_path)) = found else {
            let where_ = match &base_dir {
                Some(b) => format!("neither in {name}/ nor in its base {b}/"),
                None => format!("not in {name}/"),
            };
            problems.push(Problem::field(
                shown("scenario.yml"),
                format!("available_evidence[{i}]"),
                format!("lists {} but {file} exists {where_}", kind.as_str()),
            ));
            continue;
        };
        if let Err(p) = load_evidence(files, &mut evidence, *kind, &path, &shown_path) {
            problems.extend(p);
        }
    }

    match (answer, alert, problems.is_empty()) {
        (Some(answer_file), Some(alert), true) => {
            let case = make_case_in(&scenario_file, alert, evidence, raw);
            Ok(Scenario {
                dir_name: name.to_owned(),
                file: scenario_file,
                answer_file,
                case,
            })
        }
        _ => Err(problems),
    }
}

/// When `scenario.yml` cannot be used, still report what is wrong in `answer.yml` on its own.
fn check_answer_file_alone(files: &Files, name: &str, problems: &mut Vec<Problem>) {
    let path = format!("{name}/answer.yml");
    let shown = path.as_str();
    match files.file(&path, shown) {
        Ok(true) => {}
        Ok(false) => {
            problems.push(Problem::file(
                shown,
                "missing (every scenario needs its own answer)",
            ));
            return;
        }
        Err(p) => {
            problems.push(p);
            return;
        }
    }
    if let Err(p) = files
        .text(&path, shown)
        .and_then(|t| parse_yaml(&t, shown))
        .and_then(|v| typed::<AnswerFile>(v, shown))
    {
        problems.push(p);
    }
}

fn as_map(v: Value, shown: &str) -> Result<serde_json::Map<String, Value>, Problem> {
    match v {
        Value::Object(m) => Ok(m),
        Value::Null => Err(Problem::file(
            shown,
            "is empty (expected a mapping of keys)",
        )),
        other => Err(Problem::file(
            shown,
            format!("expected a mapping of keys, got {}", kind_of(&other)),
        )),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Checks a `base` value and loads the base's own `scenario.yml` as a map.
fn resolve_base(
    files: &Files,
    name: &str,
    base: &Value,
    cache: &ScenarioYamlCache,
) -> Result<(String, serde_json::Map<String, Value>), Problem> {
    let file = format!("{name}/scenario.yml");
    let Value::String(base) = base else {
        return Err(Problem::field(
            &file,
            "base",
            format!("expected string, got {}", kind_of(base)),
        ));
    };
    if base.is_empty()
        || base == "."
        || base == ".."
        || base.contains('/')
        || base.contains('\\')
        || Path::new(base).is_absolute()
    {
        return Err(Problem::field(
            &file,
            "base",
            format!("\"{base}\" is not a plain sibling directory name (no paths, no .. or /)"),
        ));
    }
    if base == name {
        return Err(Problem::field(
            &file,
            "base",
            format!("\"{base}\" is the scenario itself (a cycle)"),
        ));
    }
    let base_yml = format!("{base}/scenario.yml");
    if !files.dir(base, base)? {
        return Err(Problem::field(
            &file,
            "base",
            format!("base \"{base}\" does not exist next to {name}/"),
        ));
    }
    if !files.file(&base_yml, &base_yml)? {
        return Err(Problem::field(
            &file,
            "base",
            format!("base \"{base}\" has no scenario.yml"),
        ));
    }
    cache
        .bases
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(base.clone());
    let map = cache.get(files, base)?;
    if let Some(grand) = map.get("base") {
        let grand = grand.as_str().unwrap_or("?");
        let what = if grand == name {
            "a cycle"
        } else {
            "a chain; only one level is allowed"
        };
        return Err(Problem::field(
            &file,
            "base",
            format!("base \"{base}\" itself has base \"{grand}\" ({what})"),
        ));
    }
    Ok((base.clone(), map))
}

/// Notes where a merged key came from when the problem is in an inherited one.
fn inherited_note(p: &mut Problem, own: &serde_json::Map<String, Value>, base: Option<&str>) {
    let Some(base) = base else { return };
    let Some(field) = &p.field else { return };
    let top = field.split(['.', '[']).next().unwrap_or(field);
    if !own.contains_key(top) {
        p.message = format!("{} (inherited from {base}/scenario.yml)", p.message);
    }
}

fn check_scenario_file(name: &str, f: &ScenarioFile, problems: &mut Vec<Problem>) {
    let file = format!("{name}/scenario.yml");
    if f.scenario_id.trim().is_empty() {
        problems.push(Problem::field(&file, "scenario_id", "must not be empty"));
    }
    if f.schema_version.trim().is_empty() {
        problems.push(Problem::field(&file, "schema_version", "must not be empty"));
    }
    if !f.failure_mode.is_ground_truth() {
        problems.push(Problem::field(
            &file,
            "failure_mode",
            "\"unknown\" is not a ground truth",
        ));
    }
    for (field, value) in [
        ("cluster_name", &f.cluster_name),
        ("namespace", &f.namespace),
        ("workload_name", &f.workload_name),
    ] {
        if value.trim().is_empty() {
            problems.push(Problem::field(&file, field, "must not be empty"));
        }
    }
}

fn check_answer(name: &str, f: &ScenarioFile, a: &AnswerFile, problems: &mut Vec<Problem>) {
    let file = format!("{name}/answer.yml");
    if a.required_keywords.is_empty() {
        problems.push(Problem::field(
            &file,
            "required_keywords",
            "must list at least one keyword",
        ));
    }
    for (i, k) in a.required_keywords.iter().enumerate() {
        if k.trim().is_empty() {
            problems.push(Problem::field(
                &file,
                format!("required_keywords[{i}]"),
                "must not be empty",
            ));
        }
    }
    if a.model_response.trim().is_empty() {
        problems.push(Problem::field(&file, "model_response", "must not be empty"));
    }
    if let Some(cause) = a.root_cause {
        if cause.mode() != f.failure_mode {
            problems.push(Problem::field(
                &file,
                "root_cause",
                format!(
                    "\"{cause}\" belongs to {}, but scenario.yml says failure_mode {}",
                    cause.mode(),
                    f.failure_mode
                ),
            ));
        }
        if cause.category() != a.root_cause_category {
            problems.push(Problem::field(
                &file,
                "root_cause_category",
                format!(
                    "\"{}\" disagrees with root_cause {cause} (category {})",
                    a.root_cause_category,
                    cause.category()
                ),
            ));
        }
    }
    for (i, alt) in a.acceptable_root_causes.iter().enumerate() {
        if a.root_cause.is_none() {
            problems.push(Problem::field(
                &file,
                "acceptable_root_causes",
                "needs a root_cause to be the primary label",
            ));
            break;
        }
        if Some(*alt) == a.root_cause {
            problems.push(Problem::field(
                &file,
                format!("acceptable_root_causes[{i}]"),
                format!("\"{alt}\" is the primary root_cause already"),
            ));
        }
        if !alt.mode().is_ground_truth() {
            problems.push(Problem::field(
                &file,
                format!("acceptable_root_causes[{i}]"),
                format!("\"{alt}\" is not a ground truth"),
            ));
        }
    }
    if let Some(pod) = &a.affected_pod
        && !pod.contains('/')
    {
        problems.push(Problem::field(
            &file,
            "affected_pod",
            format!("expected namespace/pod, got \"{pod}\""),
        ));
    }
}

fn load_evidence(
    files: &Files,
    ev: &mut Evidence,
    kind: EvidenceKind,
    path: &str,
    shown: &str,
) -> Result<(), Vec<Problem>> {
    let text = files.text(path, shown).map_err(|p| vec![p])?;
    parse_evidence(ev, kind, text, shown)
}

/// Parses the text of one evidence file of `kind` into `ev`, checking it as loading does.
fn parse_evidence(
    ev: &mut Evidence,
    kind: EvidenceKind,
    value: String,
    shown: &str,
) -> Result<(), Vec<Problem>> {
    /// Only a document that mentions `"available"` can be the tool's unavailable report; every
    /// other file is parsed once, straight into its type (the hot path of loading a corpus).
    fn source<T: DeserializeOwned>(text: String, shown: &str) -> Result<Source<T>, Problem> {
        if !text.contains("\"available\"") {
            return typed_json(&text, shown).map(Source::Available);
        }
        let value = parse_json(&text, shown)?;
        if is_unavailable(&value) {
            let u: UnavailableFile = typed(value, shown)?;
            Ok(Source::Unavailable { error: u.error })
        } else {
            typed(value, shown).map(Source::Available)
        }
    }
    let one = |r: Result<(), Problem>| r.map_err(|p| vec![p]);
    match kind {
        // A container state is any object for OpenSRE's loader, so the one-flag rule
        // (`check_pods`) holds the generator's own scenarios only.
        EvidenceKind::EksPods => one(source(value, shown).map(|s| ev.eks_pods = Some(s))),
        EvidenceKind::EksEvents => one(source(value, shown).map(|s| ev.eks_events = Some(s))),
        EvidenceKind::EksDeployments => {
            one(source(value, shown).map(|s| ev.eks_deployments = Some(s)))
        }
        EvidenceKind::EksNodeHealth => {
            one(source(value, shown).map(|s| ev.eks_node_health = Some(s)))
        }
        EvidenceKind::EksPodLogs => one(source(value, shown).map(|s| ev.eks_pod_logs = Some(s))),
        EvidenceKind::DatadogLogs => one(source(value, shown).map(|s| ev.datadog_logs = Some(s))),
        EvidenceKind::DatadogMonitors => {
            one(source(value, shown).map(|s| ev.datadog_monitors = Some(s)))
        }
    }
}

/// The generator's own rule for container states: exactly one flag, and an exit code for a
/// terminated one.
fn check_pods(shown: &str, pods: &PodsFile, problems: &mut Vec<Problem>) {
    for (i, pod) in pods.pods.iter().enumerate() {
        for (j, c) in pod.containers.iter().enumerate() {
            if c.state.flags_set() != 1 {
                problems.push(Problem::field(
                    shown,
                    format!("pods[{i}].containers[{j}].state"),
                    "expected exactly one of running, waiting, terminated to be true",
                ));
            } else if c.state.kind() == StateKind::Terminated && c.state.exit_code.is_none() {
                problems.push(Problem::field(
                    shown,
                    format!("pods[{i}].containers[{j}].state.exit_code"),
                    "a terminated state needs an exit_code",
                ));
            }
        }
    }
}

fn evidence_listed(ev: &Evidence, kind: EvidenceKind) -> bool {
    ev.state(kind).is_some()
}

fn make_case(f: &ScenarioFile, alert: crate::files::Alert, evidence: Evidence) -> Case {
    make_case_in(f, alert, evidence, None)
}

fn make_case_in(
    f: &ScenarioFile,
    alert: crate::files::Alert,
    evidence: Evidence,
    raw: Option<crate::k8s_api::RawEvidence>,
) -> Case {
    Case {
        id: case_id(&f.scenario_id),
        context: Context {
            engine: f.engine,
            cluster_name: f.cluster_name.clone(),
            namespace: f.namespace.clone(),
            workload_type: f.workload_type,
            workload_name: f.workload_name.clone(),
            region: f.region.clone(),
        },
        alert,
        evidence,
        profile: if raw.is_some() {
            Profile::K8sApi
        } else {
            Profile::Opensre
        },
        k8s_api: raw,
    }
}

/// Counts of a suite's labels, for summaries and manifests.
pub fn label_counts(scenarios: &[Scenario]) -> BTreeMap<String, BTreeMap<String, u64>> {
    let mut out: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for s in scenarios {
        let a = s.answer();
        *out.entry("failure_mode".into())
            .or_default()
            .entry(a.failure_mode.to_string())
            .or_default() += 1;
        *out.entry("root_cause_category".into())
            .or_default()
            .entry(a.root_cause_category.to_string())
            .or_default() += 1;
        let cause = a
            .root_cause
            .map_or_else(|| "unspecified".into(), |c| c.to_string());
        *out.entry("root_cause".into())
            .or_default()
            .entry(cause)
            .or_default() += 1;
        *out.entry("difficulty".into())
            .or_default()
            .entry(s.file().scenario_difficulty.to_string())
            .or_default() += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_is_parsed_once_per_suite() {
        // Issue 14 item 13: a base named by 30 children is parsed once, not 31 times.
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().join("000-base");
        std::fs::create_dir(&base).unwrap();
        std::fs::write(base.join("scenario.yml"), "scenario_id: base\n").unwrap();
        for i in 1..=30 {
            let d = tmp.path().join(format!("{i:03}-child"));
            std::fs::create_dir(&d).unwrap();
            std::fs::write(
                d.join("scenario.yml"),
                format!("base: 000-base\nscenario_id: c{i}\n"),
            )
            .unwrap();
        }
        let cache = ScenarioYamlCache::default();
        let report = load_report_in(tmp.path(), Profile::Opensre, &cache);
        assert!(
            !report.problems.is_empty(),
            "the stub scenarios do not load"
        );
        assert_eq!(cache.parses.load(std::sync::atomic::Ordering::Relaxed), 31);
    }

    #[test]
    fn budget_breaches_are_said_in_words() {
        let deep = format!("{}1{}", "[".repeat(70), "]".repeat(70));
        let p = parse_yaml(&deep, "x.yml").unwrap_err();
        assert!(
            p.message.contains("nested deeper than 64 levels"),
            "{}",
            p.message
        );
        assert!(!p.message.contains('{'), "{}", p.message);
    }
}
