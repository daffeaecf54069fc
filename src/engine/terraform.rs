//! Linting a Terraform module: every file of the folder read and parsed, the `--var-file`s
//! read, the module lowered into the template view, and one report for the whole module (with
//! only the named files' findings when files were named rather than a folder walked).

use std::path::{Path, PathBuf};

use super::{FileError, FileReport, Keep, check_loaded, read};
use crate::config::Config;
use crate::discover::{self, Target, TerraformModule};
use crate::hcl::{Body, Expr};
use crate::load::{self, terraform};
use crate::parse;
use crate::source::{FileId, FileIds, SourceFile, Sources};

/// A file of the module, read and parsed (or not).
struct Read {
    id: FileId,
    source: SourceFile,
    body: Option<Body>,
}

/// A file whose text is given rather than read from disk (standard input, an editor's
/// unsaved buffer).
pub(super) struct Given<'g> {
    pub path: &'g Path,
    pub text: String,
}

pub(super) fn lint_module(
    target: &Target,
    module: &TerraformModule,
    config: &Config,
    ids: &FileIds,
    keep: Keep,
    mut given: Option<Given<'_>>,
) -> FileReport {
    let mut errors = Vec::new();
    let mut unparsed = Unparsed::default();
    let named = |path: &Path| {
        module
            .reported
            .as_ref()
            .is_some_and(|reported| reported.iter().any(|r| r == path))
    };
    let files: Vec<Read> = module
        .files
        .iter()
        .map(|path| {
            let how = Reading {
                ids,
                config,
                named: named(path),
            };
            match given.take_if(|g| g.path == path) {
                Some(given) => parse_text(path, given.text, &how, &mut unparsed),
                None => read_file(path, &how, &mut errors, &mut unparsed),
            }
        })
        .collect();
    let var_files: Vec<(Read, Vec<(String, Expr)>)> = config
        .var_files
        .iter()
        .map(|path| read_var_file(path, ids, &mut errors))
        .collect();
    let parsed: Vec<terraform::ModuleFile<'_>> = files
        .iter()
        .filter_map(|f| {
            Some(terraform::ModuleFile {
                id: f.id,
                text: &f.source.text,
                body: f.body.as_ref()?,
            })
        })
        .collect();
    let var_values: Vec<(&str, &Expr)> = var_files
        .iter()
        .flat_map(|(_, values)| values.iter().map(|(n, e)| (n.as_str(), e)))
        .collect();
    let folder = discover::absolute(&target.path);
    let root = discover::project_root(&folder, &discover::absolute(&target.root));
    let local = |source: &str| local_lambda_module(&folder, &root, source);
    let lowered = terraform::lower(&parsed, &var_values, &local);
    let first = files.first().map_or(FileId(0), |f| f.id);
    let loaded = load::load_terraform(first, &lowered);
    let sources: Vec<(FileId, &SourceFile)> = files.iter().map(|f| (f.id, &f.source)).collect();
    let (mut findings, mut ignored) =
        check_loaded(&loaded, &sources, None, unparsed.findings, config);
    let mut triggers = loaded.triggers;
    // Files named on the command line: their findings only, the rest of the folder is context.
    if let Some(reported) = &module.reported {
        let reported_ids: Vec<FileId> = files
            .iter()
            .filter(|f| reported.contains(&f.source.path))
            .map(|f| f.id)
            .collect();
        findings.retain(|f| reported_ids.contains(&f.span.file));
        ignored.retain(|f| reported_ids.contains(&f.span.file));
        triggers.retain(|t| reported_ids.contains(&t.file));
        errors.retain(|e: &FileError| {
            reported_ids.contains(&e.file) || !files.iter().any(|f| f.id == e.file)
        });
    }
    let has_content = parsed.iter().any(|f| !f.body.items.is_empty());
    let mut report = FileReport {
        file: Some(first),
        path: target.path.clone(),
        is_module: has_content,
        // Files named on the command line count; their folder's other files are context.
        extra_files: module
            .reported
            .as_ref()
            .map_or(module.files.len(), Vec::len)
            .saturating_sub(1),
        trigger_count: triggers.len(),
        triggers: if keep == Keep::All {
            triggers
        } else {
            Vec::new()
        },
        findings,
        ignored,
        errors,
        skipped_parts: unparsed.skipped,
        ..FileReport::default()
    };
    report.sources = keep_sources(files, var_files, &report, keep);
    report.sort();
    report
}

/// How a module's file is read: named on the command line or found in a walk decides what
/// becomes of it when it does not parse.
struct Reading<'a> {
    ids: &'a FileIds,
    config: &'a Config,
    named: bool,
}

/// The module's files that did not parse: invalid-syntax findings, and the files passed over.
#[derive(Default)]
struct Unparsed {
    findings: Vec<crate::rules::Finding>,
    skipped: Vec<(PathBuf, String)>,
}

fn read_file(
    path: &Path,
    how: &Reading<'_>,
    errors: &mut Vec<FileError>,
    unparsed: &mut Unparsed,
) -> Read {
    match read(path) {
        Ok(text) => parse_text(path, text, how, unparsed),
        Err(problem) => {
            let id = how.ids.next();
            let message = problem.message();
            errors.push(FileError {
                file: id,
                offset: None,
                message,
            });
            Read {
                id,
                source: SourceFile::new(path, String::new()),
                body: None,
            }
        }
    }
}

fn parse_text(path: &Path, text: String, how: &Reading<'_>, unparsed: &mut Unparsed) -> Read {
    let id = how.ids.next();
    let body = match parse::hcl::parse_file(path, &text, id) {
        Ok(body) => Some(body),
        Err(e) => {
            let failure = super::unparsed::Failure {
                file: id,
                path,
                text: &text,
                content: &text,
                syntax: crate::rules::invalid_syntax::Syntax::Hcl,
                offset: e.offset,
                message: &e.message,
            };
            match super::unparsed::judge(&failure, how.named, how.config) {
                super::unparsed::Unparsed::Reported(finding) => unparsed.findings.push(*finding),
                super::unparsed::Unparsed::Skipped(why) => {
                    unparsed.skipped.push((path.to_path_buf(), why));
                }
            }
            None
        }
    };
    Read {
        id,
        source: SourceFile::new(path, text),
        body,
    }
}

/// A Terraform file's text, linted with the other files of its folder (read from disk) as
/// context; only its own findings are reported.
pub(super) fn lint_text(path: &Path, text: String, config: &Config, keep: Keep) -> FileReport {
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let excluded: discover::Excluded = std::sync::Arc::new(|_: &Path| false);
    let mut files = discover::terraform_files_in(&folder, &excluded);
    if !files.iter().any(|f| f == path) {
        files.push(path.to_path_buf());
        files.sort();
    }
    let module = TerraformModule {
        files,
        reported: Some(vec![path.to_path_buf()]),
    };
    let target = Target {
        path: folder.clone(),
        root: folder,
        named: true,
        terraform: Some(module.clone()),
    };
    let ids = FileIds::default();
    let given = Given { path, text };
    let mut report = lint_module(&target, &module, config, &ids, keep, Some(given));
    report.path = path.to_path_buf();
    report
}

fn read_var_file(
    path: &Path,
    ids: &FileIds,
    errors: &mut Vec<FileError>,
) -> (Read, Vec<(String, Expr)>) {
    let id = ids.next();
    let text = match read(path) {
        Ok(text) => text,
        Err(problem) => {
            let message = problem.message();
            errors.push(FileError {
                file: id,
                offset: None,
                message: format!("cannot read the var file: {message}"),
            });
            let source = SourceFile::new(path, String::new());
            return (
                Read {
                    id,
                    source,
                    body: None,
                },
                Vec::new(),
            );
        }
    };
    let values = parse::hcl::parse_var_file(path, &text, id).unwrap_or_else(|e| {
        errors.push(FileError {
            file: id,
            offset: Some(e.offset),
            message: format!("invalid var file: {}", e.message),
        });
        Vec::new()
    });
    let read = Read {
        id,
        source: SourceFile::new(path, text),
        body: None,
    };
    (read, values)
}

/// The texts a report keeps: every file for the library API, else those with findings or
/// errors (a var file among them, when a finding's value came from it).
fn keep_sources(
    files: Vec<Read>,
    var_files: Vec<(Read, Vec<(String, Expr)>)>,
    report: &FileReport,
    keep: Keep,
) -> Sources {
    let mut wanted: Vec<FileId> = Vec::new();
    for f in report.findings.iter().chain(&report.ignored) {
        wanted.push(f.span.file);
        wanted.extend(f.related.iter().map(|r| r.span.file));
    }
    wanted.extend(report.errors.iter().map(|e| e.file));
    let mut sources = Sources::default();
    let all = files
        .into_iter()
        .chain(var_files.into_iter().map(|(read, _)| read));
    for read in all {
        if keep == Keep::All || wanted.contains(&read.id) {
            sources.insert(read.id, read.source);
        }
    }
    sources
}

/// Whether a local module source (`../../`, `./modules/lambda`) is the terraform-aws-modules
/// Lambda module (a copy of it, or the examples inside its own repository): its files declare
/// the `event_source_mapping` input. Folders outside the project are not read.
fn local_lambda_module(
    folder: &Path,
    root: &Path,
    source: &str,
) -> Option<terraform::LambdaModule> {
    let target = std::fs::canonicalize(folder.join(source)).ok()?;
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if !target.starts_with(&root) || !target.is_dir() {
        return None;
    }
    let declares_input = std::fs::read_dir(&target)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p: &PathBuf| p.extension().is_some_and(|e| e == "tf"))
        .any(|p| {
            std::fs::read_to_string(&p).is_ok_and(|text| terraform::is_lambda_module_text(&text))
        });
    if !declares_input {
        return None;
    }
    Some(if target.ends_with("modules/alias") {
        terraform::LambdaModule::Alias
    } else {
        terraform::LambdaModule::Function
    })
}
