//! triggerlint: lints AWS Lambda triggers (event source mappings) in Serverless Framework,
//! AWS SAM and CloudFormation templates.
//!
//! The pipeline: discover files, parse each into a spanned tree, decide its format by content,
//! load its triggers into one model, run the rules, and report. Every step is a plain function,
//! so tests drive the library directly.

pub mod cli;
pub mod config;
pub mod discover;
pub mod load;
pub mod model;
pub mod parse;
pub mod report;
pub mod rules;
pub mod source;
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
    pub findings: Vec<Finding>,
    pub errors: Vec<FileError>,
}

impl Run {
    /// Files considered (read, or attempted).
    pub fn files(&self) -> usize {
        self.sources.len()
    }

    /// Sorts findings and errors by file, then position, whatever order files were linted in.
    fn sort(&mut self) {
        let sources = &self.sources;
        let path_of = |id: FileId| sources.get(id).path.clone();
        self.findings.sort_by(|a, b| {
            (path_of(a.span.file), a.span.start, a.rule.code).cmp(&(
                path_of(b.span.file),
                b.span.start,
                b.rule.code,
            ))
        });
        self.errors.sort_by_key(|e| (path_of(e.file), e.offset));
        self.triggers.sort_by(|a, b| {
            (path_of(a.file), a.anchor.start).cmp(&(path_of(b.file), b.anchor.start))
        });
    }
}

/// What linting one file produced.
struct FileOutcome {
    is_template: bool,
    triggers: Vec<Trigger>,
    findings: Vec<Finding>,
    error: Option<(Option<usize>, String)>,
}

impl FileOutcome {
    fn error(offset: Option<usize>, message: impl Into<String>) -> FileOutcome {
        FileOutcome {
            is_template: false,
            triggers: Vec::new(),
            findings: Vec::new(),
            error: Some((offset, message.into())),
        }
    }

    fn skipped() -> FileOutcome {
        FileOutcome {
            is_template: false,
            triggers: Vec::new(),
            findings: Vec::new(),
            error: None,
        }
    }
}

/// Lints files and folders.
pub fn run(paths: &[PathBuf], config: &Config) -> Run {
    let (files, walk_errors) = discover::discover(paths);
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
        let (text, outcome) = match read(&path) {
            Ok(text) => {
                let outcome = lint_text(&path, &text, FileId(run.sources.len() as u32), config);
                (text, outcome)
            }
            Err((text, offset, message)) => (text, FileOutcome::error(offset, message)),
        };
        let file = run.sources.add(SourceFile::new(path, text));
        run.absorb(file, outcome);
    }
    run.sort();
    run
}

/// Lints one text as if read from `path` (stdin, tests).
pub fn run_text(path: impl Into<PathBuf>, text: String, config: &Config) -> Run {
    let path = path.into();
    let mut run = Run::default();
    let outcome = lint_text(&path, &text, FileId(0), config);
    let file = run.sources.add(SourceFile::new(path, text));
    run.absorb(file, outcome);
    run.sort();
    run
}

impl Run {
    fn absorb(&mut self, file: FileId, outcome: FileOutcome) {
        self.templates += usize::from(outcome.is_template);
        self.triggers.extend(outcome.triggers);
        self.findings.extend(outcome.findings);
        if let Some((offset, message)) = outcome.error {
            self.errors.push(FileError {
                file,
                offset,
                message,
            });
        }
    }
}

/// Reads a file as text, refusing what is too big, binary or not text. On failure returns
/// whatever text is worth showing with the error (the decoded prefix is not kept).
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
        // Keep the valid prefix so the error can be shown at its line and column.
        let prefix = String::from_utf8_lossy(&bytes[..e.offset.min(bytes.len())]).into_owned();
        (prefix, Some(e.offset), e.message)
    })
}

/// Parses, loads and checks one text. A panic anywhere in here is a bug; it is caught so the
/// other files are still linted, and reported as an error for this file.
fn lint_text(path: &Path, text: &str, file: FileId, config: &Config) -> FileOutcome {
    std::panic::catch_unwind(|| lint_text_inner(path, text, file, config)).unwrap_or_else(|_| {
        FileOutcome::error(
            None,
            "internal error while linting this file (a bug in triggerlint; please report it)",
        )
    })
}

fn lint_text_inner(path: &Path, text: &str, file: FileId, config: &Config) -> FileOutcome {
    let syntax = parse::syntax_of(path, text);
    let root = match parse::parse(text, syntax, file) {
        Ok(Some(root)) => root,
        Ok(None) => return FileOutcome::skipped(),
        Err(e) => {
            let what = match syntax {
                parse::Syntax::Json => "JSON",
                parse::Syntax::Yaml => "YAML",
            };
            return FileOutcome::error(Some(e.offset), format!("invalid {what}: {}", e.message));
        }
    };
    let Some(format) = load::sniff(&root) else {
        return FileOutcome::skipped();
    };
    let loaded = load::load(format, file, &root);
    let findings = loaded
        .triggers
        .iter()
        .flat_map(|t| rules::check(t, &loaded.template, config))
        .collect();
    FileOutcome {
        is_template: true,
        triggers: loaded.triggers,
        findings,
        error: None,
    }
}
