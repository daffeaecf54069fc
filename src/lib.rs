//! triggerlint: lints AWS Lambda triggers (event source mappings) in Serverless Framework,
//! AWS SAM and CloudFormation templates.
//!
//! The pipeline: discover files, parse each into a spanned tree, decide its format by content,
//! load its triggers into one model, run the rules, apply suppressions, and report. Every step
//! is a plain function, so tests drive the library directly.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod load;
pub mod model;
pub mod parse;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod template;
pub mod tree;

use std::io::Read;
use std::path::{Path, PathBuf};

use config::Config;
use model::Trigger;
use rules::Finding;
use source::{FileId, SourceFile, Sources};

/// A file that could not be linted, and where the problem is (a byte offset, when known).
#[derive(Clone, Debug)]
pub struct FileError {
    pub file: FileId,
    pub offset: Option<usize>,
    pub message: String,
}

/// Everything one run found.
#[derive(Debug, Default)]
pub struct Run {
    pub sources: Sources,
    /// Files recognised as Serverless, SAM or CloudFormation.
    pub templates: usize,
    pub triggers: Vec<Trigger>,
    /// Findings to report.
    pub findings: Vec<Finding>,
    /// Findings hidden by a suppression comment or Metadata entry.
    pub ignored: Vec<Finding>,
    /// Findings hidden because the baseline records them.
    pub baselined: Vec<Finding>,
    pub errors: Vec<FileError>,
}

impl Run {
    /// Files considered (read, or attempted).
    pub fn files(&self) -> usize {
        self.sources.len()
    }

    /// Sorts everything by file, then position, whatever order files were linted in.
    fn sort(&mut self) {
        let sources = &self.sources;
        let path_of = |id: FileId| sources.get(id).path.clone();
        let finding_order = |f: &Finding| {
            (
                path_of(f.span.file),
                f.span.start,
                f.rule.code,
                f.message.clone(),
            )
        };
        self.findings.sort_by_key(finding_order);
        self.ignored.sort_by_key(finding_order);
        self.errors.sort_by_key(|e| (path_of(e.file), e.offset));
        self.triggers
            .sort_by_key(|t| (path_of(t.file), t.anchor.start));
    }

    fn absorb(&mut self, source: SourceFile, outcome: FileOutcome) {
        let file = self.sources.add(source);
        self.templates += usize::from(outcome.is_template);
        self.triggers.extend(outcome.triggers);
        self.findings.extend(outcome.findings);
        self.ignored.extend(outcome.ignored);
        if let Some((offset, message)) = outcome.error {
            self.errors.push(FileError {
                file,
                offset,
                message,
            });
        }
    }

    /// Moves findings the baseline already records out of `findings`.
    pub fn apply_baseline(&mut self, baseline: &baseline::Baseline) {
        let findings = std::mem::take(&mut self.findings);
        let (new, known) = baseline.split(&self.sources, findings);
        self.findings = new;
        self.baselined = known;
    }
}

/// What linting one file produced.
#[derive(Default)]
struct FileOutcome {
    is_template: bool,
    triggers: Vec<Trigger>,
    findings: Vec<Finding>,
    ignored: Vec<Finding>,
    error: Option<(Option<usize>, String)>,
}

impl FileOutcome {
    fn error(offset: Option<usize>, message: impl Into<String>) -> FileOutcome {
        FileOutcome {
            error: Some((offset, message.into())),
            ..FileOutcome::default()
        }
    }
}

/// Lints files and folders.
pub fn run(paths: &[PathBuf], config: &Config) -> Run {
    let (files, walk_errors) = discover::discover(paths, &config.exclude);
    let mut run = Run::default();
    for error in walk_errors {
        let file = run.sources.add(SourceFile::new(error.path, String::new()));
        run.errors.push(FileError {
            file,
            offset: None,
            message: error.message,
        });
    }
    for path in files {
        let file = FileId(run.sources.len() as u32);
        let (source, outcome) = match read(&path) {
            Ok(text) => {
                let source = SourceFile::new(path, text);
                let outcome = lint_source(file, &source, config);
                (source, outcome)
            }
            Err((text, offset, message)) => (
                SourceFile::new(path, text),
                FileOutcome::error(offset, message),
            ),
        };
        run.absorb(source, outcome);
    }
    run.sort();
    run
}

/// Lints one text as if read from `path` (standard input, tests).
pub fn run_text(path: impl Into<PathBuf>, text: String, config: &Config) -> Run {
    let mut run = Run::default();
    let source = SourceFile::new(path, text);
    let outcome = lint_source(FileId(0), &source, config);
    run.absorb(source, outcome);
    run.sort();
    run
}

/// Lints bytes read from standard input, decoded like a file's.
pub fn run_bytes(path: impl Into<PathBuf>, bytes: &[u8], config: &Config) -> Run {
    match parse::decode(bytes) {
        Ok(text) => run_text(path, text, config),
        Err(e) => {
            let mut run = Run::default();
            let prefix = String::from_utf8_lossy(&bytes[..e.offset.min(bytes.len())]).into_owned();
            run.absorb(
                SourceFile::new(path, prefix),
                FileOutcome::error(Some(e.offset), e.message),
            );
            run
        }
    }
}

/// Reads a file as text, refusing what is too big, binary or not text. On failure returns
/// whatever text is worth showing with the error (the valid prefix of an undecodable file).
fn read(path: &Path) -> Result<String, (String, Option<usize>, String)> {
    let fail = |offset, message: String| (String::new(), offset, message);
    let file = std::fs::File::open(path).map_err(|e| fail(None, discover::io_message(&e)))?;
    let meta = file
        .metadata()
        .map_err(|e| fail(None, discover::io_message(&e)))?;
    if !meta.is_file() {
        return Err(fail(None, "not a regular file".to_string()));
    }
    if meta.len() > parse::MAX_FILE_BYTES {
        return Err(fail(
            None,
            format!(
                "file is {} MiB, larger than the {} MiB limit",
                meta.len() / (1024 * 1024),
                parse::MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Read at most one byte past the limit, in case the file grew after the size check.
    file.take(parse::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(None, discover::io_message(&e)))?;
    parse::decode(&bytes).map_err(|e| {
        let prefix = String::from_utf8_lossy(&bytes[..e.offset.min(bytes.len())]).into_owned();
        (prefix, Some(e.offset), e.message)
    })
}

/// Parses, loads, checks and applies suppressions for one file. A panic anywhere in here is a
/// bug; it is caught so the other files are still linted, and reported as an error here.
fn lint_source(file: FileId, source: &SourceFile, config: &Config) -> FileOutcome {
    std::panic::catch_unwind(|| lint_source_inner(file, source, config)).unwrap_or_else(|_| {
        FileOutcome::error(
            None,
            "internal error while linting this file (a bug in triggerlint; please report it)",
        )
    })
}

fn lint_source_inner(file: FileId, source: &SourceFile, config: &Config) -> FileOutcome {
    let text = source.text.as_str();
    let syntax = parse::syntax_of(&source.path, text);
    let root = match parse::parse(text, syntax, file) {
        Ok(Some(root)) => root,
        Ok(None) => return FileOutcome::default(),
        Err(e) => {
            let what = match syntax {
                parse::Syntax::Json => "JSON",
                parse::Syntax::Yaml => "YAML",
            };
            return FileOutcome::error(Some(e.offset), format!("invalid {what}: {}", e.message));
        }
    };
    let Some(format) = load::sniff(&root) else {
        return FileOutcome::default();
    };
    let loaded = load::load(format, file, &root);
    let findings: Vec<Finding> = loaded
        .triggers
        .iter()
        .flat_map(|t| rules::check(t, &loaded.template, config))
        .collect();
    let (findings, ignored) = if config.no_ignore {
        (findings, Vec::new())
    } else {
        let (mut suppressions, malformed) = suppress::collect(file, source, &loaded.triggers);
        let (mut kept, ignored) = suppress::apply(findings, &mut suppressions, source);
        kept.extend(suppress::unused(&suppressions, &malformed, config));
        (kept, ignored)
    };
    FileOutcome {
        is_template: true,
        triggers: loaded.triggers,
        findings,
        ignored,
        error: None,
    }
}
