//! One file's lint: reading it under its configuration, parsing, loading, the rules and the
//! suppressions, into its report.

use std::path::{Path, PathBuf};

use crate::config::{Config, Configs};
use crate::discover::Target;
use crate::model::{self, Trigger};
use crate::rules::{self, Finding};
use crate::source::{FileId, FileIds, SourceFile, Sources};
use crate::{discover, load, parse, suppress, tree};

use super::read::{ReadError, Undecodable, read};
use super::relint::{self, Memos};
use super::{FileError, FileReport, Keep, plan, terraform, unparsed};

pub(super) fn lint_path(
    target: &Target,
    configs: &Configs,
    ids: &FileIds,
    keep: Keep,
) -> FileReport {
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
        let mut report =
            terraform::lint_module(target, module, &config, ids, keep, Vec::new(), None);
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
        memos: None,
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
pub(super) struct Linting<'a> {
    pub(super) config: &'a Config,
    /// The folder named on the command line that holds the file; `None` for a text without one
    /// (standard input), whose own folder is used.
    pub(super) root: Option<&'a Path>,
    /// Named on the command line (or read from standard input): a file that does not parse is
    /// an error even when it does not look like a template.
    pub(super) named: bool,
    pub(super) ids: &'a FileIds,
    pub(super) keep: Keep,
    /// The last lint of the same document and the memo for the next (an editor's buffer),
    /// with the configuration as shared between them.
    pub(super) memos: Option<(&'a Memos, &'a std::sync::Arc<Config>)>,
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
            memos: None,
        }
    }
}

/// One text linted on its own, as the first file of a run.
pub(super) fn lint_text(path: PathBuf, text: String, config: &Config, keep: Keep) -> FileReport {
    if parse::hcl::is_terraform(&path) {
        let mut report = terraform::lint_text(&path, text, config, keep);
        report.config_source.clone_from(&config.source);
        report.fail_on = config.fail_on;
        return report;
    }
    let ids = FileIds::default();
    let how = Linting::given(config, &ids, keep);
    lint_given(path, text, &how)
}

/// An editor's buffer linted again: as [`lint_text`], reusing what it can of the last lint of
/// the same document (see [`relint`]).
pub(super) fn relint_text(
    path: PathBuf,
    text: String,
    config: &std::sync::Arc<Config>,
    memos: &Memos,
) -> FileReport {
    if parse::hcl::is_terraform(&path) {
        return lint_text(path, text, config, Keep::All);
    }
    let ids = FileIds::default();
    let how = Linting {
        memos: Some((memos, config)),
        ..Linting::given(config, &ids, Keep::All)
    };
    lint_given(path, text, &how)
}

fn lint_given(path: PathBuf, text: String, how: &Linting<'_>) -> FileReport {
    let config = how.config;
    let file = how.ids.next();
    let mut report = lint_source(file, SourceFile::new(path, text), how);
    report.config_source.clone_from(&config.source);
    report.fail_on = config.fail_on;
    report
}

pub(super) fn lint_bytes(path: PathBuf, bytes: &[u8], config: &Config, keep: Keep) -> FileReport {
    match parse::decode(bytes) {
        Ok(text) => lint_text(path, text, config, keep),
        Err(e) => {
            let ids = FileIds::default();
            let how = Linting::given(config, &ids, keep);
            Undecodable::new(bytes, e).report(ids.next(), &path, &how)
        }
    }
}

/// The report of a file that did not parse: its invalid-syntax finding, or why it was passed
/// over.
pub(super) fn unparsed_report(verdict: unparsed::Unparsed) -> FileReport {
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
    // An editor's buffer after a small edit: the last lint's tree with the edited part parsed
    // again.
    let spliced = how
        .memos
        .filter(|_| syntax == parse::Syntax::Yaml)
        .and_then(|(memos, config)| memos.spliced_tree(&source.path, config, file, text));
    let parsed = match spliced {
        Some(root) => Ok(Some(root)),
        None => parse::parse(text, syntax, file),
    };
    let mut root = match parsed {
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
    let document = how.memos.map(|(memos, config)| {
        let document = relint::Document {
            path: &source.path,
            config,
            file,
            text,
            format,
        };
        (memos, document)
    });
    let (triggers, findings, ignored) = check_document(
        file,
        source,
        format,
        &root,
        table,
        missing,
        config,
        document.as_ref(),
    );
    let deployed = format == model::Format::Deployed;
    let mut report = FileReport {
        is_template: !deployed,
        is_deployed: deployed,
        is_fragment: format == model::Format::Serverless && root.get("service").is_none(),
        trigger_count: triggers.len(),
        triggers: keep.triggers(triggers),
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
    if let Some((memos, _)) = how.memos {
        memos.keep_tree(root, syntax);
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

/// Loads the triggers of a parsed document, runs the rules (or reuses the last lint's
/// findings, for an editor's buffer) and applies suppressions: the triggers, the findings to
/// report, and the suppressed ones.
#[allow(clippy::too_many_arguments)]
fn check_document(
    file: FileId,
    source: &SourceFile,
    format: model::Format,
    root: &tree::Node,
    table: Option<&load::variables::VariableTable>,
    document_findings: Vec<Finding>,
    config: &Config,
    memos: Option<&(&Memos, relint::Document<'_>)>,
) -> (Vec<Trigger>, Vec<Finding>, Vec<Finding>) {
    let loaded = load::load(format, file, root);
    let (findings, ignored) = check_loaded(
        &loaded,
        &[(file, source)],
        &[],
        table,
        document_findings,
        config,
        memos,
    );
    (loaded.triggers, findings, ignored)
}

/// Runs the rules on loaded triggers and applies the suppressions written in `sources` (and
/// in resources' Metadata): the findings to report, and the suppressed ones. With `memos` (an
/// editor's buffer), the findings of the triggers an edit cannot change are taken from the last
/// lint of the same document when there is one, and this lint's are left for the next.
pub(super) fn check_loaded(
    loaded: &load::Loaded<'_>,
    sources: &[(FileId, &SourceFile)],
    parsed_hcl: &[(FileId, &crate::hcl::Body)],
    table: Option<&load::variables::VariableTable>,
    document_findings: Vec<Finding>,
    config: &Config,
    memos: Option<&(&Memos, relint::Document<'_>)>,
) -> (Vec<Finding>, Vec<Finding>) {
    let enabled = config.enabled_rules();
    let scope = rules::Scope::new(&loaded.template, &loaded.triggers, &config.rules);
    let template = &loaded.template;
    let texts = super::fix::Texts::new(sources).with_exact_edits(config.exact_fix_edits);
    let texts = match template.format {
        // A document's own tree; a Terraform module's is a lowering, not its text's.
        model::Format::CloudFormation | model::Format::Sam | model::Format::Serverless => {
            texts.with_tree(template.file, template.root)
        }
        _ => texts.with_hcl(parsed_hcl),
    };
    let checked = |t: &Trigger| -> Vec<Finding> {
        rules::check(t, &scope, &enabled)
            .into_iter()
            .map(|f| match config.defer_fixes {
                true => f,
                false => super::fix::resolve(f, t, &texts, config),
            })
            .map(|f| match table {
                Some(table) => with_definitions(f, table),
                None => f,
            })
            .collect()
    };
    let mut findings: Vec<Finding> = match memos {
        None => loaded.triggers.iter().flat_map(checked).collect(),
        Some((memos, document)) => {
            let mut reusable = memos
                .reusable(document, &loaded.triggers)
                .unwrap_or_default();
            memos
                .reused
                .set(reusable.iter().filter(|r| r.is_some()).count());
            let by_trigger: Vec<Vec<Finding>> = loaded
                .triggers
                .iter()
                .enumerate()
                .map(|(i, t)| match reusable.get_mut(i).and_then(Option::take) {
                    Some(reused) => reused,
                    None => checked(t),
                })
                .collect();
            if Memos::records(document) {
                memos.record(document, &loaded.triggers, &by_trigger);
            }
            by_trigger.into_iter().flatten().collect()
        }
    };
    findings.extend(document_findings);
    super::fix::reconcile_shared(&mut findings, &loaded.triggers, &texts);
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
