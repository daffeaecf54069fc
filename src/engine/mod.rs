//! Running the pipeline over many files: in parallel on every core, with each file's report
//! streamed in path order, so output is the same whatever the thread count and memory is
//! bounded by the files in flight, not by the corpus.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{Config, Configs};
use crate::discover::Target;
use crate::model::{self, Trigger};
use crate::rules::Severity;
use crate::rules::{self, Finding};
use crate::source::{FileId, FileIds, SourceFile, Sources};
use crate::{discover, load, parse, suppress, tree};

mod plan;
mod terraform;
mod unparsed;

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

fn lint_path(target: &Target, configs: &Configs, ids: &FileIds, keep: Keep) -> FileReport {
    let path = target.path.as_path();
    let file = ids.next();
    if !target.named && discover::is_jinja_path(path) {
        return FileReport {
            path: path.to_path_buf(),
            skipped: Some("a cookiecutter or Jinja template (`{{` in its path)".to_string()),
            ..FileReport::default()
        };
    }
    // A Terraform module's path is its folder: its configuration is that of its files.
    let config_path = target
        .terraform
        .as_ref()
        .and_then(|m| m.files.first())
        .map_or(path, PathBuf::as_path);
    let config = match configs.for_file(config_path) {
        Ok(config) => config,
        Err(error) => return config_error_report(path, &error, configs, ids),
    };
    if let Some(module) = &target.terraform {
        let mut report = terraform::lint_module(target, module, &config, ids, keep, None);
        report.config_source.clone_from(&config.source);
        report.fail_on = config.fail_on;
        return report;
    }
    let how = Linting {
        config: &config,
        root: Some(&target.root),
        named: target.named,
        ids,
        keep,
    };
    let mut report = match read(path) {
        Ok(text) => lint_source(file, SourceFile::new(path, text), &how),
        Err(ReadError::Undecodable(undecodable)) => undecodable.report(file, path, &how),
        Err(ReadError::Unreadable(message)) => {
            FileReport::error(file, SourceFile::new(path, String::new()), None, message)
        }
    };
    report.config_source.clone_from(&config.source);
    report.fail_on = config.fail_on;
    report
}

/// A file whose configuration file is invalid is not linted. The configuration's problems are
/// shown, with their snippets, with the first such file only; the others are counted.
fn config_error_report(
    path: &Path,
    error: &crate::config::ConfigError,
    configs: &Configs,
    ids: &FileIds,
) -> FileReport {
    let mut report = FileReport {
        path: path.to_path_buf(),
        config_blocked: Some(error.path.clone()),
        ..FileReport::default()
    };
    if configs.first_report_of(&error.path) {
        let config_file = ids.next();
        report.file = Some(config_file);
        report.sources.insert(
            config_file,
            SourceFile::new(error.path.clone(), error.text.clone()),
        );
        report
            .errors
            .extend(error.problems.iter().map(|(offset, message)| FileError {
                file: config_file,
                offset: *offset,
                message: message.clone(),
            }));
    }
    report
}

/// How one file is linted.
struct Linting<'a> {
    config: &'a Config,
    /// The folder named on the command line that holds the file; `None` for a text without one
    /// (standard input), whose own folder is used.
    root: Option<&'a Path>,
    /// Named on the command line (or read from standard input): a file that does not parse is
    /// an error even when it does not look like a template.
    named: bool,
    ids: &'a FileIds,
    keep: Keep,
}

impl<'a> Linting<'a> {
    /// A text given rather than found (standard input, an editor's buffer, the library API):
    /// linted as if named on the command line, in its own folder.
    fn given(config: &'a Config, ids: &'a FileIds, keep: Keep) -> Linting<'a> {
        Linting {
            config,
            root: None,
            named: true,
            ids,
            keep,
        }
    }
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
    /// Files that could not be linted: unreadable, or under an invalid configuration file.
    pub files_not_linted: usize,
    /// Invalid configuration files, with how many files each kept from being linted.
    pub invalid_configs: std::collections::BTreeMap<PathBuf, usize>,
}

impl Run {
    /// Files considered (read, or attempted).
    pub fn files(&self) -> usize {
        self.files
    }

    /// Adds one file's report.
    pub fn absorb(&mut self, report: FileReport) {
        self.files_not_linted += usize::from(report.not_linted());
        if let Some(config) = &report.config_blocked {
            *self.invalid_configs.entry(config.clone()).or_default() += 1;
        }
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

/// Lints an editor's unsaved buffer as if read from `path`, keeping the triggers and every
/// text (the language server's diagnostics and hovers). Files it includes, and a Terraform
/// module's other files, are read from disk.
pub fn report_document(path: impl Into<PathBuf>, text: String, config: &Config) -> FileReport {
    lint_text(path.into(), text, config, Keep::All)
}

/// One text linted on its own, as the first file of a run.
fn lint_text(path: PathBuf, text: String, config: &Config, keep: Keep) -> FileReport {
    if parse::hcl::is_terraform(&path) {
        let mut report = terraform::lint_text(&path, text, config, keep);
        report.config_source.clone_from(&config.source);
        report.fail_on = config.fail_on;
        return report;
    }
    let ids = FileIds::default();
    let file = ids.next();
    let how = Linting::given(config, &ids, keep);
    let mut report = lint_source(file, SourceFile::new(path, text), &how);
    report.config_source.clone_from(&config.source);
    report.fail_on = config.fail_on;
    report
}

/// Lints bytes read from standard input into one file's report.
pub fn report_bytes(path: impl Into<PathBuf>, bytes: &[u8], config: &Config) -> FileReport {
    lint_bytes(path.into(), bytes, config, Keep::Output)
}

fn lint_bytes(path: PathBuf, bytes: &[u8], config: &Config, keep: Keep) -> FileReport {
    match parse::decode(bytes) {
        Ok(text) => lint_text(path, text, config, keep),
        Err(e) => {
            let ids = FileIds::default();
            let how = Linting::given(config, &ids, keep);
            Undecodable::new(bytes, e).report(ids.next(), &path, &how)
        }
    }
}

/// Why a file's text could not be had.
enum ReadError {
    /// Not read at all: missing, unreadable, too large, not a regular file.
    Unreadable(String),
    /// Read, but its bytes are not text in an encoding the linter reads.
    Undecodable(Undecodable),
}

impl ReadError {
    fn message(self) -> String {
        match self {
            ReadError::Unreadable(message) => message,
            ReadError::Undecodable(bytes) => bytes.message,
        }
    }
}

/// Bytes that do not decode, with what can be shown and searched of them.
struct Undecodable {
    /// The valid UTF-8 before the problem, when there is some (the offset then means the same
    /// byte in it); empty otherwise. (A binary file's bytes before its first NUL are rarely
    /// text; lossy decoding would change their length and put the offset in the middle of a
    /// character.)
    prefix: String,
    offset: usize,
    message: String,
    /// A lossy decoding of the whole file, to look for signs of a trigger in.
    content: String,
}

impl Undecodable {
    fn new(bytes: &[u8], error: parse::ParseError) -> Undecodable {
        let offset = error.offset.min(bytes.len());
        let (prefix, offset) = match std::str::from_utf8(&bytes[..offset]) {
            Ok(prefix) => (prefix.to_string(), offset),
            Err(_) => (String::new(), 0),
        };
        Undecodable {
            prefix,
            offset,
            message: error.message,
            content: String::from_utf8_lossy(bytes).into_owned(),
        }
    }

    /// An invalid-syntax finding, or the file passed over (found in a walk, no sign of a
    /// trigger).
    fn report(self, file: FileId, path: &Path, how: &Linting<'_>) -> FileReport {
        let failure = unparsed::Failure {
            file,
            path,
            text: &self.prefix,
            content: &self.content,
            syntax: crate::rules::invalid_syntax::Syntax::Text,
            offset: self.offset,
            message: &self.message,
        };
        let verdict = unparsed::judge(&failure, how.named, how.config);
        let mut report = unparsed_report(verdict);
        report.path = path.to_path_buf();
        report.file = Some(file);
        if !report.findings.is_empty() {
            report
                .sources
                .insert(file, SourceFile::new(path, self.prefix));
        }
        report
    }
}

/// The report of a file that did not parse: its invalid-syntax finding, or why it was passed
/// over.
fn unparsed_report(verdict: unparsed::Unparsed) -> FileReport {
    match verdict {
        unparsed::Unparsed::Reported(finding) => FileReport {
            findings: vec![*finding],
            ..FileReport::default()
        },
        unparsed::Unparsed::Skipped(reason) => FileReport {
            skipped: Some(reason),
            ..FileReport::default()
        },
    }
}

/// Reads a file as text, refusing what is too big, binary, not text, or not a regular file
/// (a FIFO would block the open, so the type is checked first).
fn read(path: &Path) -> Result<String, ReadError> {
    let fail = |message: String| ReadError::Unreadable(message);
    let meta = std::fs::metadata(path).map_err(|e| fail(discover::io_message(&e)))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".to_string()));
    }
    if meta.len() > parse::MAX_FILE_BYTES {
        return Err(fail(too_large(meta.len())));
    }
    let file = std::fs::File::open(path).map_err(|e| fail(discover::io_message(&e)))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Read at most one byte past the limit, in case the file grew after the size check.
    file.take(parse::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(discover::io_message(&e)))?;
    if bytes.len() as u64 > parse::MAX_FILE_BYTES {
        return Err(fail(too_large(bytes.len() as u64)));
    }
    parse::decode(&bytes).map_err(|e| ReadError::Undecodable(Undecodable::new(&bytes, e)))
}

fn too_large(bytes: u64) -> String {
    format!(
        "file is {} MiB, larger than the {} MiB limit",
        bytes / (1024 * 1024),
        parse::MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// Lints one file's text. A panic anywhere in here is a bug; it is caught so the other files
/// are still linted, and reported as an error for this file.
fn lint_source(file: FileId, source: SourceFile, how: &Linting<'_>) -> FileReport {
    let keep = how.keep;
    let lint = std::panic::AssertUnwindSafe(|| lint_source_inner(file, &source, how));
    let outcome = std::panic::catch_unwind(lint);
    let mut report = match outcome {
        Ok(report) => report,
        Err(_) => {
            return FileReport::error(
                file,
                source,
                None,
                "internal error while linting this file (a bug in triggerlint; please report it)",
            );
        }
    };
    report.path = source.path.clone();
    report.file = Some(file);
    let needed = keep == Keep::All
        || !report.findings.is_empty()
        || !report.ignored.is_empty()
        || !report.errors.is_empty();
    if needed {
        report.sources.insert(file, source);
    } else {
        // Nothing to show from this file: keep no text.
        report.sources = Sources::default();
    }
    report.sort();
    report
}

fn lint_source_inner(file: FileId, source: &SourceFile, how: &Linting<'_>) -> FileReport {
    let (config, keep) = (how.config, how.keep);
    let text = source.text.as_str();
    let syntax = parse::syntax_of(&source.path, text);
    let mut root = match parse::parse(text, syntax, file) {
        Ok(Some(root)) => root,
        Ok(None) => return FileReport::default(),
        Err(e) => {
            let failure = unparsed::Failure {
                file,
                path: &source.path,
                text,
                content: text,
                syntax: syntax.into(),
                offset: e.offset,
                message: &e.message,
            };
            return unparsed_report(unparsed::judge(&failure, how.named, config));
        }
    };
    let Some(format) = load::sniff(&root) else {
        return FileReport::default();
    };
    // Without `${` there is nothing to resolve (nor any fragment context to miss).
    let resolved = (format == model::Format::Serverless && text.contains("${")).then(|| {
        let mut resolved = resolve_variables(file, source, &root, how);
        resolved.apply(&mut root);
        resolved
    });
    let root = load::with_created_resources(format, root);
    let table = resolved.as_ref().map(|r| &r.table);
    let missing = resolved
        .iter()
        .flat_map(|r| &r.missing_files)
        .filter(|_| config.is_enabled(&rules::missing_include::RULE))
        .map(|m| rules::missing_include::finding(m.span, &m.path))
        .collect();
    let (triggers, findings, ignored) =
        check_document(file, source, format, &root, table, missing, config);
    let deployed = format == model::Format::Deployed;
    let mut report = FileReport {
        is_template: !deployed,
        is_deployed: deployed,
        is_fragment: format == model::Format::Serverless && root.get("service").is_none(),
        trigger_count: triggers.len(),
        triggers: if keep == Keep::All {
            triggers
        } else {
            Vec::new()
        },
        findings,
        ignored,
        ..FileReport::default()
    };
    if format == model::Format::TerraformPlan {
        plan::point_at_declarations(&mut report, &source.path, &root, how.ids);
    }
    if let Some(resolved) = resolved {
        report.included = resolved
            .included
            .iter()
            .filter_map(|i| std::fs::canonicalize(&i.source.path).ok())
            .collect();
        for error in resolved.errors {
            match included_syntax_error(&error, &resolved.included, config) {
                Some(finding) => report.findings.push(finding),
                None => report.errors.push(FileError {
                    file: error.file,
                    offset: error.offset,
                    message: error.message,
                }),
            }
        }
        for included in resolved.included {
            report.sources.insert(included.id, included.source);
        }
        if keep == Keep::All {
            report.variables = resolved.table;
        }
    }
    report
}

/// An included file that a service reads but that does not parse: an invalid-syntax finding
/// in that file (the service may take its triggers from it).
fn included_syntax_error(
    error: &load::variables::IncludeError,
    included: &[load::variables::Included],
    config: &Config,
) -> Option<Finding> {
    let source = &included.iter().find(|i| i.id == error.file)?.source;
    if !error.invalid_syntax {
        return None;
    }
    let failure = unparsed::Failure {
        file: error.file,
        path: &source.path,
        text: &source.text,
        content: &source.text,
        syntax: parse::syntax_of(&source.path, &source.text).into(),
        offset: error.offset.unwrap_or(0),
        message: &error.message,
    };
    match unparsed::judge(&failure, true, config) {
        unparsed::Unparsed::Reported(finding) => Some(*finding),
        unparsed::Unparsed::Skipped(_) => None,
    }
}

/// Loads the triggers of a parsed document, runs the rules and applies suppressions: the
/// triggers, the findings to report, and the suppressed ones.
fn check_document(
    file: FileId,
    source: &SourceFile,
    format: model::Format,
    root: &tree::Node,
    table: Option<&load::variables::VariableTable>,
    document_findings: Vec<Finding>,
    config: &Config,
) -> (Vec<Trigger>, Vec<Finding>, Vec<Finding>) {
    let loaded = load::load(format, file, root);
    let (findings, ignored) =
        check_loaded(&loaded, &[(file, source)], table, document_findings, config);
    (loaded.triggers, findings, ignored)
}

/// Runs the rules on loaded triggers and applies the suppressions written in `sources` (and
/// in resources' Metadata): the findings to report, and the suppressed ones.
fn check_loaded(
    loaded: &load::Loaded<'_>,
    sources: &[(FileId, &SourceFile)],
    table: Option<&load::variables::VariableTable>,
    document_findings: Vec<Finding>,
    config: &Config,
) -> (Vec<Finding>, Vec<Finding>) {
    let enabled = config.enabled_rules();
    let scope = rules::Scope::new(&loaded.template, &loaded.triggers, &config.rules);
    let findings: Vec<Finding> = loaded
        .triggers
        .iter()
        .flat_map(|t| rules::check(t, &scope, &enabled))
        .map(|f| match table {
            Some(table) => with_definitions(f, table),
            None => f,
        })
        .chain(document_findings)
        .collect();
    if config.no_ignore {
        return (findings, Vec::new());
    }
    let (mut suppressions, malformed) = suppress::collect(sources, &loaded.triggers);
    let (mut kept, ignored) = suppress::apply(findings, &mut suppressions, sources);
    kept.extend(suppress::unused(&suppressions, &malformed, config));
    (kept, ignored)
}

/// Resolves a Serverless file's variables. A file without `service:` is a fragment: linted
/// alone, what it takes from the service that includes it stays unknown. Includes are read
/// only inside the project: the git repository that holds the service, else the folder named
/// on the command line that holds it.
fn resolve_variables(
    file: FileId,
    source: &SourceFile,
    root: &tree::Node,
    how: &Linting<'_>,
) -> load::variables::Resolved {
    let service_dir = discover::absolute(source.path.parent().unwrap_or(Path::new("")));
    let fallback_root = how
        .root
        .map_or_else(|| service_dir.clone(), discover::absolute);
    let context = load::variables::Context {
        options: &how.config.serverless,
        project_root: discover::project_root(&service_dir, &fallback_root),
        service_dir,
        fragment_alone: root.get("service").is_none(),
        ids: how.ids,
    };
    load::variables::resolve_service(root, file, &context)
}

/// Adds where a value that came through variables was defined, as related labels: for the
/// value the finding points at, and for the values its related labels point at.
fn with_definitions(mut finding: Finding, table: &load::variables::VariableTable) -> Finding {
    let uses: Vec<crate::source::Span> = std::iter::once(finding.span)
        .chain(finding.related.iter().map(|r| r.span))
        .collect();
    for used in uses.into_iter().filter_map(|span| table.get(span)) {
        for definition in used
            .definitions
            .iter()
            .filter(|d| d.span != crate::source::Span::default())
            .take(3)
        {
            if !finding.related.iter().any(|r| r.span == definition.span) {
                finding = finding.related(
                    definition.span,
                    format!("`{}` is defined here", definition.what),
                );
            }
        }
    }
    finding
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
}
