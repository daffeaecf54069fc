//! Running the pipeline over many files: in parallel on every core, with each file's report
//! streamed in path order, so output is the same whatever the thread count and memory is
//! bounded by the files in flight, not by the corpus.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{Config, Configs};
use crate::model::Trigger;
use crate::rules::Finding;
use crate::rules::Severity;
use crate::source::{FileId, FileIds, SourceFile, Sources};
use crate::{discover, load};

pub mod fix;
mod lint;
mod plan;
mod read;
mod relint;
mod terraform;
mod unparsed;

use lint::{lint_bytes, lint_path, lint_text};

/// A file that could not be linted, and where the problem is (a byte offset, when known).
#[derive(Clone, Debug)]
pub struct FileError {
    pub file: FileId,
    pub offset: Option<usize>,
    pub message: String,
}

/// What linting one discovered file produced, with the text of every file its findings and
/// errors point into (the file itself and what it includes).
#[derive(Debug, Default)]
pub struct FileReport {
    pub sources: Sources,
    /// The file that was linted.
    pub file: Option<FileId>,
    pub path: PathBuf,
    pub is_template: bool,
    /// A Terraform module (a folder of `.tf` files) with something in it.
    pub is_module: bool,
    /// The Lambda API's description of deployed mappings, not a template.
    pub is_deployed: bool,
    /// A Serverless file without `service:`, meant to be included by a service.
    pub is_fragment: bool,
    pub trigger_count: usize,
    /// The triggers, when the run keeps them (`inspect`, the library API).
    pub triggers: Vec<Trigger>,
    /// Findings to report, sorted by position.
    pub findings: Vec<Finding>,
    /// Findings hidden by a suppression comment or Metadata entry.
    pub ignored: Vec<Finding>,
    /// Findings hidden because the baseline records them.
    pub baselined: Vec<Finding>,
    pub errors: Vec<FileError>,
    pub variables: load::variables::VariableTable,
    /// Canonical paths of the files this one includes.
    pub included: Vec<PathBuf>,
    /// The configuration file the file was linted with (`None`: the defaults).
    pub config_source: Option<PathBuf>,
    /// Findings at or above this severity fail the run (the file's configuration's `fail-on`).
    pub fail_on: Severity,
    /// Why the file was passed over: found in a folder walk, not parseable, and not looking
    /// like a template (a `tsconfig.json` with comments, a Helm chart).
    pub skipped: Option<String>,
    /// Files linted with this one as a unit, beyond the first (a Terraform module's other
    /// files).
    pub extra_files: usize,
    /// For a Terraform module, the folder its local module sources may reach into (the project
    /// root it was linted with), so that fixing lints it again the same way.
    pub module_root: Option<PathBuf>,
    /// Files of this unit that were passed over, with why (a Terraform module's file that
    /// does not parse and holds no trigger).
    pub skipped_parts: Vec<(PathBuf, String)>,
    /// Not linted because this configuration file, which applies to it, is invalid (whose
    /// problems the first such file's report carries).
    pub config_blocked: Option<PathBuf>,
}

impl FileReport {
    /// Whether the file could not be linted: its configuration is invalid, or it (or a file
    /// of its unit) could not be read.
    pub fn not_linted(&self) -> bool {
        self.config_blocked.is_some() || !self.errors.is_empty()
    }

    /// Whether a finding reaches the file's `fail-on` severity.
    pub fn fails(&self) -> bool {
        self.findings.iter().any(|f| f.severity >= self.fail_on)
    }
}

impl FileReport {
    fn error(
        file: FileId,
        source: SourceFile,
        offset: Option<usize>,
        message: impl Into<String>,
    ) -> FileReport {
        let path = source.path.clone();
        let mut sources = Sources::default();
        sources.insert(file, source);
        FileReport {
            sources,
            file: Some(file),
            path,
            errors: vec![FileError {
                file,
                offset,
                message: message.into(),
            }],
            ..FileReport::default()
        }
    }

    /// A report of a file that could not be linted at all, with why.
    pub fn failed(path: impl Into<PathBuf>, message: impl Into<String>) -> FileReport {
        let file = FileIds::default().next();
        FileReport::error(file, SourceFile::new(path, String::new()), None, message)
    }

    /// Moves findings the baseline already records out of `findings`.
    pub fn apply_baseline(&mut self, baseline: &crate::baseline::Baseline) {
        let findings = std::mem::take(&mut self.findings);
        let (new, known) = baseline.split(&self.sources, findings);
        self.findings = new;
        self.baselined = known;
    }

    fn sort(&mut self) {
        let sources = &self.sources;
        fn key<'f>(
            sources: &'f Sources,
            f: &'f Finding,
        ) -> (&'f Path, u32, u32, &'static str, &'f str, &'f str) {
            (
                sources.get(f.span.file).path.as_path(),
                f.span.start,
                f.span.end,
                f.rule.code,
                f.message.as_str(),
                // Each call of a Terraform module is its own trigger at the same place.
                &f.path,
            )
        }
        let order = |a: &Finding, b: &Finding| key(sources, a).cmp(&key(sources, b));
        self.findings.sort_by(order);
        self.findings
            .dedup_by(|a, b| key(sources, a) == key(sources, b));
        self.ignored.sort_by(order);
        self.errors.sort_by(|a, b| {
            let key = |e: &FileError| (sources.get(e.file).path.as_path(), e.offset);
            key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
        });
        self.errors
            .dedup_by(|a, b| (a.file, a.offset, &a.message) == (b.file, b.offset, &b.message));
    }
}

/// How many files are linted between two emissions: enough to keep every core busy, few enough
/// that memory stays bounded by the files in flight.
const CHUNK: usize = 64;

/// Lints files and folders, calling `emit` with each file's report in path order. Fragments
/// that no service of the run includes are reported last (whether one is included is known
/// only once every service has been read).
pub fn lint_each(
    paths: &[PathBuf],
    configs: &Arc<Configs>,
    keep: Keep,
    mut emit: impl FnMut(FileReport),
) {
    lint_each_prepared(paths, configs, keep, |_| (), |report, ()| emit(report));
}

/// [`lint_each`], with `prepare` run on each report on the worker threads before it is
/// emitted (rendering output, say), so that work is parallel too.
pub fn lint_each_prepared<T: Send>(
    paths: &[PathBuf],
    configs: &Arc<Configs>,
    keep: Keep,
    prepare: impl Fn(&mut FileReport) -> T + Sync,
    mut emit: impl FnMut(FileReport, T),
) {
    let prepare = |report: &mut FileReport| prepare_safely(&prepare, report);
    let excluded: discover::Excluded = {
        let configs = configs.clone();
        Arc::new(move |path: &Path| configs.excludes(path))
    };
    let (mut files, walk_errors) = discover::discover(paths, &excluded);
    files.sort();
    let ids = FileIds::default();
    let mut walk_errors: Vec<FileReport> = walk_errors
        .into_iter()
        .map(|e| {
            FileReport::error(
                ids.next(),
                SourceFile::new(e.path, String::new()),
                None,
                e.message,
            )
        })
        .collect();
    walk_errors.sort_by(|a, b| a.path.cmp(&b.path));
    for mut report in walk_errors {
        let prepared = prepare(&mut report);
        emit(report, prepared);
    }

    let mut included: HashSet<PathBuf> = HashSet::new();
    let mut fragments: Vec<FileReport> = Vec::new();
    let mut seen: HashSet<u64> = HashSet::new();
    for chunk in files.chunks(CHUNK) {
        let reports: Vec<(FileReport, Option<T>)> = chunk
            .par_iter()
            .map(|target| {
                let mut report = lint_path(target, configs, &ids, keep);
                // A fragment is prepared once it is known whether a service includes it, and
                // a Terraform module once it is known whether another module calls it.
                let prepared = (!waits_for_includers(&report) && !has_included_findings(&report))
                    .then(|| prepare(&mut report));
                (report, prepared)
            })
            .collect();
        for (report, prepared) in reports {
            included.extend(report.included.iter().cloned());
            if waits_for_includers(&report) {
                fragments.push(report);
                continue;
            }
            let mut report = without_repeats(report, &mut seen);
            let prepared = prepared.unwrap_or_else(|| prepare(&mut report));
            emit(report, prepared);
        }
    }
    for mut fragment in fragments {
        let with_its_service =
            std::fs::canonicalize(&fragment.path).is_ok_and(|p| included.contains(&p));
        if with_its_service {
            fragment.trigger_count = 0;
            fragment.triggers.clear();
            fragment.findings.clear();
            fragment.ignored.clear();
            fragment.variables = Default::default();
        }
        let prepared = prepare(&mut fragment);
        emit(fragment, prepared);
    }
}

/// Whether a report is held back until every file is linted: a Serverless fragment (a service
/// may include it) and a Terraform module with triggers (a module may call it: its triggers are
/// then reported as called, once per call, and not again on their own).
fn waits_for_includers(report: &FileReport) -> bool {
    report.is_fragment || (report.is_module && report.trigger_count > 0)
}

/// Runs `prepare` (rendering) on a report; should it panic (a bug), the report is replaced by
/// an error saying so, so the other files are still reported.
fn prepare_safely<T>(prepare: &impl Fn(&mut FileReport) -> T, report: &mut FileReport) -> T {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| prepare(report)));
    attempt.unwrap_or_else(|_| {
        let file = report.file.unwrap_or(FileId(0));
        let path = report.path.clone();
        *report = FileReport::error(
            file,
            SourceFile::new(path, String::new()),
            None,
            "internal error while reporting on this file (a bug in triggerlint; please report it)",
        );
        prepare(report)
    })
}

/// Whether a report has findings in files it includes, which another report may repeat: it is
/// then prepared after the repeats are dropped.
fn has_included_findings(report: &FileReport) -> bool {
    report
        .findings
        .iter()
        .any(|f| Some(f.span.file) != report.file)
}

/// What a report keeps beyond what output needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Only what reports print: texts of files with findings or errors.
    Output,
    /// Everything: triggers and every text (the library API, `inspect`, tests).
    All,
}

impl Keep {
    /// The triggers a report keeps: all of them, or none when only output is wanted.
    fn triggers(self, triggers: Vec<crate::model::Trigger>) -> Vec<crate::model::Trigger> {
        match self {
            Keep::All => triggers,
            Keep::Output => Vec::new(),
        }
    }
}

/// Drops findings another report already gave: a fragment included by two services.
fn without_repeats(mut report: FileReport, seen: &mut HashSet<u64>) -> FileReport {
    let Some(file) = report.file else {
        return report;
    };
    let sources = &report.sources;
    report.findings.retain(|f| {
        if f.span.file == file {
            return true;
        }
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (
            &sources.get(f.span.file).path,
            f.span.start,
            f.span.end,
            f.rule.code,
            &f.message,
            // Two calls of one Terraform module are two sets of findings.
            &f.path,
        )
            .hash(&mut hasher);
        seen.insert(hasher.finish())
    });
    report
}
/// Everything one run found, collected (for the library API, `inspect` and tests).
#[derive(Debug, Default)]
pub struct Run {
    pub sources: Sources,
    /// Files considered: discovered or named (files included by others are not counted).
    pub files: usize,
    /// Files recognised as Serverless, SAM or CloudFormation.
    pub templates: usize,
    /// Terraform modules (folders) read.
    pub modules: usize,
    /// Files describing deployed mappings (the Lambda API's JSON).
    pub deployed: usize,
    pub triggers: Vec<Trigger>,
    /// Findings to report.
    pub findings: Vec<Finding>,
    /// Findings hidden by a suppression comment or Metadata entry.
    pub ignored: Vec<Finding>,
    /// Findings hidden because the baseline records them.
    pub baselined: Vec<Finding>,
    pub errors: Vec<FileError>,
    /// How the variables of Serverless services were resolved, by the span of each use.
    pub variables: load::variables::VariableTable,
    /// Files passed over in folder walks, with the reason.
    pub skipped_files: Vec<(PathBuf, String)>,
    pub skipped: usize,
    /// Whether a finding reached its file's `fail-on`.
    pub failing: bool,
    /// Files that could not be linted, and why.
    pub not_linted: NotLinted,
}

/// Files that could not be linted: counted once here for a collected run and for a streamed
/// run's summary alike.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotLinted {
    /// Unreadable, or under an invalid configuration file.
    pub files: usize,
    /// Invalid configuration files, with how many files each kept from being linted.
    pub by_config: std::collections::BTreeMap<PathBuf, usize>,
}

impl NotLinted {
    pub fn add(&mut self, report: &FileReport) {
        self.files += usize::from(report.not_linted());
        if let Some(config) = &report.config_blocked {
            *self.by_config.entry(config.clone()).or_default() += 1;
        }
    }
}

impl Run {
    /// Files considered (read, or attempted).
    pub fn files(&self) -> usize {
        self.files
    }

    /// Adds one file's report.
    pub fn absorb(&mut self, report: FileReport) {
        self.not_linted.add(&report);
        self.files += 1 + report.extra_files;
        self.failing |= report.fails();
        if let Some(reason) = &report.skipped {
            self.skipped += 1;
            self.skipped_files
                .push((report.path.clone(), reason.clone()));
        }
        self.skipped += report.skipped_parts.len();
        self.skipped_files
            .extend(report.skipped_parts.iter().cloned());
        self.templates += usize::from(report.is_template);
        self.modules += usize::from(report.is_module);
        self.deployed += usize::from(report.is_deployed);
        self.triggers.extend(report.triggers);
        self.findings.extend(report.findings);
        self.ignored.extend(report.ignored);
        self.errors.extend(report.errors);
        self.variables.extend(report.variables);
        for (id, source) in report.sources.into_iter() {
            self.sources.insert(id, source);
        }
    }

    /// Moves findings the baseline already records out of `findings`.
    pub fn apply_baseline(&mut self, baseline: &crate::baseline::Baseline) {
        let findings = std::mem::take(&mut self.findings);
        let (new, known) = baseline.split(&self.sources, findings);
        self.findings = new;
        self.baselined = known;
    }
}

/// Lints files and folders with one configuration and collects everything.
pub fn run(paths: &[PathBuf], config: &Config) -> Run {
    run_with(paths, &Arc::new(Configs::fixed(config.clone())))
}

/// Lints files and folders, each with its configuration, and collects everything.
pub fn run_with(paths: &[PathBuf], configs: &Arc<Configs>) -> Run {
    let mut run = Run::default();
    lint_each(paths, configs, Keep::All, |report| run.absorb(report));
    run
}

/// Lints one text as if read from `path` (standard input, tests).
pub fn run_text(path: impl Into<PathBuf>, text: String, config: &Config) -> Run {
    let mut run = Run::default();
    run.absorb(lint_text(path.into(), text, config, Keep::All));
    run
}

/// Lints bytes read from standard input, decoded like a file's, collecting everything.
pub fn run_bytes(path: impl Into<PathBuf>, bytes: &[u8], config: &Config) -> Run {
    let mut run = Run::default();
    run.absorb(lint_bytes(path.into(), bytes, config, Keep::All));
    run
}

/// Lints one text into the report `check` would write (benchmarks, embedding).
pub fn report_text(path: impl Into<PathBuf>, text: String, config: &Config) -> FileReport {
    lint_text(path.into(), text, config, Keep::Output)
}

/// Resolves the fixes of a report linted with `defer_fixes`: each finding's plan into edits,
/// with the trigger it is about (found by its path), where that is not done yet.
pub fn resolve_fixes(report: &mut FileReport, config: &Config) {
    fix::resolve_deferred(report, config);
}

/// Lints an editor's unsaved buffer as if read from `path`, keeping the triggers and every
/// text (the language server's diagnostics and hovers). Files it includes, and a Terraform
/// module's other files, are read from disk.
pub fn report_document(path: impl Into<PathBuf>, text: String, config: &Config) -> FileReport {
    lint_text(path.into(), text, config, Keep::All)
}
/// What the last lint of an editor's buffer keeps for the next lint of the same document (see
/// [`relint_document`]).
pub use relint::{Memo as DocumentMemo, Reused};

/// Lints an editor's buffer as [`report_document`] does, with the same report, reusing what the
/// last lint of the same document (`memo`) found for the triggers the edit since cannot change,
/// and leaves in `memo` what the next lint can reuse. Returns the report and what was reused.
pub fn relint_document(
    path: impl Into<PathBuf>,
    text: String,
    config: &Arc<Config>,
    memo: &mut Option<DocumentMemo>,
) -> (FileReport, Reused) {
    let memos = relint::Memos::after(memo.take());
    let report = lint::relint_text(path.into(), text, config, &memos);
    *memo = memos.next.into_inner();
    let reused = Reused {
        triggers: memos.reused.get(),
        tree: memos.spliced.get(),
    };
    (report, reused)
}

/// Lints bytes read from standard input into one file's report.
pub fn report_bytes(path: impl Into<PathBuf>, bytes: &[u8], config: &Config) -> FileReport {
    lint_bytes(path.into(), bytes, config, Keep::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A renderer that panics on the first attempt (a bug) turns that file into an error
    /// report, rendered normally, instead of taking the whole run down.
    #[test]
    fn a_panic_while_rendering_becomes_an_error_for_that_file() {
        let attempts = std::sync::atomic::AtomicUsize::new(0);
        let render = |report: &mut FileReport| {
            if attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                panic!("renderer bug");
            }
            report.errors.len()
        };
        let mut report = report_text("t.yaml", "a: 1\n".to_string(), &Config::default());
        assert_eq!(prepare_safely(&render, &mut report), 1);
        assert!(report.errors[0].message.starts_with("internal error"));
        assert_eq!(report.path, PathBuf::from("t.yaml"));
    }

    /// Fixes deferred at lint time and resolved afterwards are those a lint resolves itself.
    #[test]
    fn deferred_fixes_resolve_to_the_fixes_of_a_plain_lint() {
        let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n            Queue: arn:aws:sqs:us-east-1:123456789012:jobs\n            StartingPosition: LATEST\n";
        let plain = report_document("t.yaml", text.to_string(), &Config::default());
        let deferring = Config {
            defer_fixes: true,
            ..Config::default()
        };
        let mut deferred = report_document("t.yaml", text.to_string(), &deferring);
        let fixes =
            |r: &FileReport| -> Vec<_> { r.findings.iter().map(|f| f.fix.clone()).collect() };
        assert!(
            fixes(&plain)
                .iter()
                .any(|f| f.as_ref().is_some_and(|f| !f.edits.is_empty()))
        );
        assert!(fixes(&deferred).iter().all(Option::is_none));
        resolve_fixes(&mut deferred, &Config::default());
        assert_eq!(fixes(&deferred), fixes(&plain));
    }
}
