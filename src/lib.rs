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
use source::{FileId, FileIds, SourceFile, Sources};

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
    /// Files considered: discovered or named (files included by others are not counted).
    pub files: usize,
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
    /// How the variables of Serverless services were resolved, by the span of each use.
    pub variables: load::variables::VariableTable,
    ids: FileIds,
}

impl Run {
    /// Files considered (read, or attempted).
    pub fn files(&self) -> usize {
        self.files
    }

    /// Sorts everything by file, then position, whatever order files were linted in, and
    /// drops findings reported twice (a fragment included by two services).
    fn sort(&mut self) {
        let sources = &self.sources;
        let path_of = |id: FileId| sources.get(id).path.clone();
        let finding_order = |f: &Finding| {
            (
                path_of(f.span.file),
                f.span.start,
                f.span.end,
                f.rule.code,
                f.message.clone(),
            )
        };
        self.findings.sort_by_key(finding_order);
        self.findings
            .dedup_by(|a, b| finding_order(a) == finding_order(b));
        self.ignored.sort_by_key(finding_order);
        self.ignored
            .dedup_by(|a, b| finding_order(a) == finding_order(b));
        self.errors
            .sort_by_key(|e| (path_of(e.file), e.offset, e.message.clone()));
        self.errors.dedup_by(|a, b| {
            (path_of(a.file), a.offset, &a.message) == (path_of(b.file), b.offset, &b.message)
        });
        self.triggers
            .sort_by_key(|t| (path_of(t.file), t.anchor.start, t.path.clone()));
    }

    fn absorb(&mut self, file: FileId, source: SourceFile, outcome: FileOutcome) {
        self.sources.insert(file, source);
        self.files += 1;
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
        for included in outcome.included {
            self.sources.insert(included.id, included.source);
        }
        self.variables.extend(outcome.variables);
        self.errors
            .extend(outcome.include_errors.into_iter().map(|e| FileError {
                file: e.file,
                offset: e.offset,
                message: e.message,
            }));
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
    /// A Serverless file without `service:`, meant to be included by a service.
    is_fragment: bool,
    triggers: Vec<Trigger>,
    findings: Vec<Finding>,
    ignored: Vec<Finding>,
    error: Option<(Option<usize>, String)>,
    included: Vec<load::variables::Included>,
    include_errors: Vec<load::variables::IncludeError>,
    variables: load::variables::VariableTable,
}

impl FileOutcome {
    fn error(offset: Option<usize>, message: impl Into<String>) -> FileOutcome {
        FileOutcome {
            error: Some((offset, message.into())),
            ..FileOutcome::default()
        }
    }

    /// Canonical paths of the files this one includes.
    fn included_paths(&self) -> Vec<PathBuf> {
        self.included
            .iter()
            .filter_map(|i| std::fs::canonicalize(&i.source.path).ok())
            .collect()
    }
}

/// Lints files and folders.
pub fn run(paths: &[PathBuf], config: &Config) -> Run {
    let (files, walk_errors) = discover::discover(paths, &config.exclude);
    let mut run = Run::default();
    for error in walk_errors {
        let file = run.ids.next();
        run.absorb(
            file,
            SourceFile::new(error.path, String::new()),
            FileOutcome::error(None, error.message),
        );
    }
    let mut outcomes = Vec::new();
    for path in files {
        let file = run.ids.next();
        let (source, outcome) = match read(&path) {
            Ok(text) => {
                let source = SourceFile::new(path, text);
                let outcome = lint_source(file, &source, config, &run.ids);
                (source, outcome)
            }
            Err((text, offset, message)) => (
                SourceFile::new(path, text),
                FileOutcome::error(offset, message),
            ),
        };
        outcomes.push((file, source, outcome));
    }
    // A fragment that a service of this run includes is linted as part of that service.
    let included: std::collections::HashSet<PathBuf> = outcomes
        .iter()
        .flat_map(|(_, _, o)| o.included_paths())
        .collect();
    for (file, source, mut outcome) in outcomes {
        let linted_with_its_service = outcome.is_fragment
            && std::fs::canonicalize(&source.path).is_ok_and(|p| included.contains(&p));
        if linted_with_its_service {
            outcome.triggers.clear();
            outcome.findings.clear();
            outcome.ignored.clear();
            outcome.variables = Default::default();
        }
        run.absorb(file, source, outcome);
    }
    run.sort();
    run
}

/// Lints one text as if read from `path` (standard input, tests).
pub fn run_text(path: impl Into<PathBuf>, text: String, config: &Config) -> Run {
    let mut run = Run::default();
    let file = run.ids.next();
    let source = SourceFile::new(path, text);
    let outcome = lint_source(file, &source, config, &run.ids);
    run.absorb(file, source, outcome);
    run.sort();
    run
}

/// Lints bytes read from standard input, decoded like a file's.
pub fn run_bytes(path: impl Into<PathBuf>, bytes: &[u8], config: &Config) -> Run {
    match parse::decode(bytes) {
        Ok(text) => run_text(path, text, config),
        Err(e) => {
            let mut run = Run::default();
            let file = run.ids.next();
            let prefix = String::from_utf8_lossy(&bytes[..e.offset.min(bytes.len())]).into_owned();
            run.absorb(
                file,
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
fn lint_source(file: FileId, source: &SourceFile, config: &Config, ids: &FileIds) -> FileOutcome {
    let lint = std::panic::AssertUnwindSafe(|| lint_source_inner(file, source, config, ids));
    std::panic::catch_unwind(lint).unwrap_or_else(|_| {
        FileOutcome::error(
            None,
            "internal error while linting this file (a bug in triggerlint; please report it)",
        )
    })
}

fn lint_source_inner(
    file: FileId,
    source: &SourceFile,
    config: &Config,
    ids: &FileIds,
) -> FileOutcome {
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
    let resolved = (format == model::Format::Serverless)
        .then(|| resolve_variables(file, source, &root, config, ids));
    let (triggers, findings, ignored) =
        check_document(file, source, format, &root, resolved.as_ref(), config);
    let is_fragment = format == model::Format::Serverless && root.get("service").is_none();
    let (included, include_errors, variables) =
        resolved.map_or_else(Default::default, |r| (r.included, r.errors, r.table));
    FileOutcome {
        is_template: true,
        is_fragment,
        triggers,
        findings,
        ignored,
        error: None,
        included,
        include_errors,
        variables,
    }
}

/// Loads the triggers of a parsed document, runs the rules and applies suppressions: the
/// triggers, the findings to report, and the suppressed ones.
fn check_document(
    file: FileId,
    source: &SourceFile,
    format: model::Format,
    root: &tree::Node,
    resolved: Option<&load::variables::Resolved>,
    config: &Config,
) -> (Vec<Trigger>, Vec<Finding>, Vec<Finding>) {
    let document = resolved.map_or(root, |r| &r.root);
    let table = resolved.map(|r| &r.table);
    let loaded = load::load(format, file, document, table);
    let findings: Vec<Finding> = loaded
        .triggers
        .iter()
        .flat_map(|t| rules::check(t, &loaded.template, config))
        .map(|f| match table {
            Some(table) => with_definitions(f, table),
            None => f,
        })
        .collect();
    let (findings, ignored) = if config.no_ignore {
        (findings, Vec::new())
    } else {
        let (mut suppressions, malformed) = suppress::collect(file, source, &loaded.triggers);
        let (mut kept, ignored) = suppress::apply(findings, &mut suppressions, source);
        kept.extend(suppress::unused(&suppressions, &malformed, config));
        (kept, ignored)
    };
    (loaded.triggers, findings, ignored)
}

/// Resolves a Serverless file's variables. A file without `service:` is a fragment: linted
/// alone, what it takes from the service that includes it stays unknown.
fn resolve_variables(
    file: FileId,
    source: &SourceFile,
    root: &tree::Node,
    config: &Config,
    ids: &FileIds,
) -> load::variables::Resolved {
    let service_dir = discover::absolute(source.path.parent().unwrap_or(Path::new("")));
    let context = load::variables::Context {
        options: &config.serverless,
        project_root: discover::project_root(&service_dir),
        service_dir,
        fragment_alone: root.get("service").is_none(),
        ids,
    };
    load::variables::resolve_service(root, file, &context)
}

/// Adds where a value that came through variables was defined, as related labels.
fn with_definitions(mut finding: Finding, table: &load::variables::VariableTable) -> Finding {
    let Some(used) = table.get(finding.span) else {
        return finding;
    };
    for definition in used
        .definitions
        .iter()
        .filter(|d| d.span != source::Span::default())
        .take(3)
    {
        finding = finding.related(
            definition.span,
            format!("`{}` is defined here", definition.what),
        );
    }
    finding
}
