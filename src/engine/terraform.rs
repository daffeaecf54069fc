//! Linting a Terraform module: every file of the folder read and parsed, the `--var-file`s
//! read, the module lowered into the template view, and one report for the whole module (with
//! only the named files' findings when files were named rather than a folder walked).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::lint::check_loaded;
use super::read::read;
use super::{FileError, FileReport, Keep};
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
    /// Shared: a registry module's model is the same tree in every lint that calls it.
    body: Option<Arc<Body>>,
}

/// A file whose text is given rather than read from disk (standard input, an editor's
/// unsaved buffer, a file with the fixes of earlier passes).
pub(super) struct Given<'g> {
    pub path: &'g Path,
    pub text: String,
}

/// Takes the given text of the file at `path`, if one is given.
fn take_given<'g>(given: &mut Vec<Given<'g>>, is: impl Fn(&Path) -> bool) -> Option<Given<'g>> {
    let at = given.iter().position(|g| is(g.path))?;
    Some(given.swap_remove(at))
}

/// Where a module folder is, when the caller has looked already: its project root and its
/// canonical path (each a few file-system calls per lint otherwise made twice).
pub(super) struct Located {
    pub root: PathBuf,
    pub canonical: Option<PathBuf>,
    /// Whether the folder may hold `.terraform/modules/modules.json`: false when its listing,
    /// read already, has no `.terraform` (most folders, which then cost no failed open).
    pub downloads: bool,
}

pub(super) fn lint_module(
    target: &Target,
    module: &TerraformModule,
    config: &Config,
    ids: &FileIds,
    keep: Keep,
    mut given: Vec<Given<'_>>,
    located: Option<Located>,
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
            match take_given(&mut given, |g| g == path) {
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
    let folder = discover::absolute(&target.path);
    let Located {
        root,
        canonical,
        downloads,
    } = located.unwrap_or_else(|| Located {
        root: discover::project_root(&folder, &discover::absolute(&target.root)),
        canonical: std::fs::canonicalize(&target.path).ok(),
        downloads: true,
    });
    let called_how = Reading {
        ids,
        config,
        named: false,
    };
    let mut reading = (&mut errors, &mut unparsed);
    let linted = (target.path.as_path(), canonical);
    let downloaded = if downloads {
        downloaded_modules(&target.path)
    } else {
        Default::default()
    };
    let tree = read_tree(
        files,
        linted,
        &root,
        &downloaded,
        &called_how,
        &mut reading,
        given,
    );
    let folders: Vec<terraform::Folder<'_>> = tree
        .iter()
        .map(|read| terraform::Folder {
            files: read
                .files
                .iter()
                .filter_map(|f| {
                    Some(terraform::ModuleFile {
                        id: f.id,
                        text: &f.source.text,
                        body: f.body.as_deref()?,
                    })
                })
                .collect(),
            calls: read.calls.iter().cloned().collect(),
        })
        .collect();
    let var_values: Vec<(&str, &Expr)> = var_files
        .iter()
        .flat_map(|(_, values)| values.iter().map(|(n, e)| (n.as_str(), e)))
        .collect();
    let local = |source: &str| local_lambda_module(&folder, &root, source);
    let lowered = terraform::lower(&folders, &var_values, &local);
    let files = &tree[0].files;
    let first = files.first().map_or(FileId(0), |f| f.id);
    let loaded = load::load_terraform(first, &lowered);
    let sources: Vec<(FileId, &SourceFile)> = tree
        .iter()
        .flat_map(|folder| folder.files.iter().map(|f| (f.id, &f.source)))
        .collect();
    let parsed: Vec<(FileId, &Body)> = tree
        .iter()
        .flat_map(|folder| folder.files.iter())
        .filter_map(|f| Some((f.id, f.body.as_deref()?)))
        .collect();
    let (mut findings, mut ignored) = check_loaded(
        &loaded,
        &sources,
        &parsed,
        None,
        unparsed.findings,
        config,
        None,
    );
    let mut triggers = loaded.triggers;
    // Files named on the command line: their findings only, the rest of the folder is context.
    if let Some(reported) = &module.reported {
        // The root's files by their path; a called module's (an editor's file linted as its
        // caller calls it) by what they are on disk. A registry module's model is on no disk:
        // asking the file system about it cost a canonical path per file of every lint.
        let is_reported = |path: &Path, root: bool, on_disk: bool| {
            reported
                .iter()
                .any(|r| r == path || (!root && on_disk && same_file(r, path)))
        };
        let reported_ids: Vec<FileId> = tree
            .iter()
            .enumerate()
            .flat_map(|(i, folder)| {
                let on_disk = folder.dir.is_some();
                folder.files.iter().map(move |f| (i == 0, on_disk, f))
            })
            .filter(|(root, on_disk, f)| is_reported(&f.source.path, *root, *on_disk))
            .map(|(_, _, f)| f.id)
            .collect();
        let module_file = |id: FileId| tree.iter().any(|t| t.files.iter().any(|f| f.id == id));
        findings.retain(|f| reported_ids.contains(&f.span.file));
        ignored.retain(|f| reported_ids.contains(&f.span.file));
        triggers.retain(|t| reported_ids.contains(&t.file));
        errors.retain(|e: &FileError| reported_ids.contains(&e.file) || !module_file(e.file));
    }
    let has_content = folders[0].files.iter().any(|f| !f.body.items.is_empty());
    let called: Vec<PathBuf> = tree.iter().skip(1).filter_map(|f| f.dir.clone()).collect();
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
        triggers: keep.triggers(triggers),
        findings,
        ignored,
        errors,
        skipped_parts: unparsed.skipped,
        included: called,
        module_root: Some(root.clone()),
        ..FileReport::default()
    };
    drop(folders);
    let files = tree.into_iter().flat_map(|folder| folder.files).collect();
    report.sources = keep_sources(files, var_files, &report, keep);
    report.sort();
    report
}

/// How a module's file is read: named on the command line or found in a walk decides what
/// becomes of it when it does not parse.
#[derive(Clone, Copy)]
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
        Ok(body) => Some(Arc::new(body)),
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
/// context; only its own findings are reported. When a module of the project calls the file's
/// folder, the file is linted as that module calls it (each call's findings, naming the call).
pub(super) fn lint_text(path: &Path, text: String, config: &Config, keep: Keep) -> FileReport {
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let excluded: discover::Excluded = std::sync::Arc::new(|_: &Path| false);
    // The folder's place and listing, looked up once for the search for a caller and for
    // the lint (each was looked up twice).
    let listing = discover::Listing::read(&folder);
    let located = Located {
        root: discover::project_root(&folder, &folder),
        canonical: std::fs::canonicalize(&folder).ok(),
        downloads: listing.as_ref().is_none_or(|l| l.has(".terraform")),
    };
    let caller = caller_of(&folder, &located, listing.as_ref(), &excluded);
    let module_folder = caller.clone().unwrap_or_else(|| folder.clone());
    let mut files = match (&caller, &listing) {
        (None, Some(listing)) => listing.terraform_files(&excluded),
        (None, None) => Vec::new(),
        (Some(caller), _) => discover::terraform_files_in(caller, &excluded),
    };
    if caller.is_none() && !files.iter().any(|f| f == path) {
        files.push(path.to_path_buf());
        files.sort();
    }
    let module = TerraformModule {
        files,
        reported: Some(vec![path.to_path_buf()]),
    };
    let target = Target {
        path: module_folder.clone(),
        root: module_folder,
        named: true,
        terraform: Some(module.clone()),
    };
    let ids = FileIds::default();
    let given = Given { path, text };
    // A caller's folder is looked up again: its project root may be another.
    let located = caller.is_none().then_some(located);
    let mut report = lint_module(&target, &module, config, &ids, keep, vec![given], located);
    report.path = path.to_path_buf();
    report
}

/// A module folder linted again, every text kept, with some of its files' (or its called
/// modules' files') texts given: the fixes of earlier passes.
pub(super) fn lint_folder_with(
    folder: &Path,
    root: &Path,
    given: &[(PathBuf, String)],
    config: &Config,
) -> FileReport {
    let excluded: discover::Excluded = std::sync::Arc::new(|_: &Path| false);
    let module = TerraformModule {
        files: discover::terraform_files_in(folder, &excluded),
        reported: None,
    };
    let target = Target {
        path: folder.to_path_buf(),
        root: root.to_path_buf(),
        named: true,
        terraform: Some(module.clone()),
    };
    let given = given
        .iter()
        .map(|(path, text)| Given {
            path,
            text: text.clone(),
        })
        .collect();
    lint_module(
        &target,
        &module,
        config,
        &FileIds::default(),
        Keep::All,
        given,
        None,
    )
}

/// Most folders of a project searched for a module calling the one being edited.
const MAX_CALLER_SEARCH: usize = 200;

/// A folder of the project (below the git root, at most three levels down) whose `.tf` files
/// call `folder` as a local module. The first found, in walking order. `listing` is the
/// folder's own, read already.
fn caller_of(
    folder: &Path,
    located: &Located,
    listing: Option<&discover::Listing>,
    excluded: &discover::Excluded,
) -> Option<PathBuf> {
    let canonical = located.canonical.clone()?;
    let root = &located.root;
    let folder = discover::absolute(folder);
    let name = canonical.file_name()?.to_string_lossy().into_owned();
    let mut queue = vec![(root.clone(), 0)];
    let mut searched = 0;
    while let Some((dir, depth)) = queue.pop() {
        searched += 1;
        if searched > MAX_CALLER_SEARCH {
            return None;
        }
        // The folder itself (the project root when no repository holds it) calls nothing.
        let is_folder = dir == folder;
        if !is_folder
            && std::fs::canonicalize(&dir).is_ok_and(|d| d != canonical)
            && calls_folder(&dir, &canonical, &name, excluded)
        {
            return Some(dir);
        }
        if depth >= 3 {
            continue;
        }
        let read;
        let listed = match listing {
            Some(listing) if is_folder => listing,
            _ => match discover::Listing::read(&dir) {
                Some(listing) => {
                    read = listing;
                    &read
                }
                None => continue,
            },
        };
        let mut children: Vec<PathBuf> = listed
            .folders(&dir)
            .into_iter()
            .filter(|p| !is_hidden(p))
            .collect();
        children.sort();
        queue.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
    }
    None
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// Whether a `.tf` file of `dir` has a `module` block whose local source is `target`.
fn calls_folder(dir: &Path, target: &Path, name: &str, excluded: &discover::Excluded) -> bool {
    discover::terraform_files_in(dir, excluded)
        .iter()
        .any(|file| {
            let Ok(text) = std::fs::read_to_string(file) else {
                return false;
            };
            // Most files name no module at all: only those that mention the folder are parsed.
            if !text.contains("module") || !text.contains(name) {
                return false;
            }
            let Ok(body) = parse::hcl::parse_file(file, &text, FileId(0)) else {
                return false;
            };
            body.blocks()
                .filter(|b| b.kind == "module")
                .filter_map(|b| b.body.attribute("source")?.value.as_str())
                .filter(|source| source.starts_with("./") || source.starts_with("../"))
                .any(|source| std::fs::canonicalize(dir.join(source)).is_ok_and(|d| d == target))
        })
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
        wanted.extend(f.module.iter().flat_map(|m| m.sites.iter().map(|s| s.file)));
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

/// A module of the tree a module's calls read, with its files parsed.
struct ReadFolder {
    files: Vec<Read>,
    /// Call name, and the index of the module it reads.
    calls: Vec<(String, usize)>,
    /// The module's key in `.terraform/modules/modules.json` (`orders`, `app.queue`).
    key: String,
    /// The folder, canonical (what tells two calls of one module); `None` for a registry
    /// module's model.
    dir: Option<PathBuf>,
    /// The folder as the calls reach it from the folder linted, for the paths reports show.
    reached: PathBuf,
    /// Which registry module's model this is.
    model: Option<&'static str>,
}

/// Most modules one tree reads (calls of calls included).
const MAX_FOLDERS: usize = 64;

/// What a module call's `source` leads to.
enum Called {
    /// The folder as reached, and canonical.
    Dir(PathBuf, PathBuf),
    Model(&'static terraform::registry::Model),
}

/// The module linted and every module its calls read, transitively: local folders inside the
/// project, folders `terraform init` downloaded (`.terraform/modules/modules.json`), and the
/// models of the registry modules triggerlint knows. The Lambda module is modelled apart.
/// What reading a module tree's files collects: the files that could not be read, and those
/// that do not parse.
type Problems<'p> = (&'p mut Vec<FileError>, &'p mut Unparsed);

fn read_tree(
    files: Vec<Read>,
    (folder, canonical): (&Path, Option<PathBuf>),
    root: &Path,
    downloaded: &crate::fxhash::FxHashMap<String, PathBuf>,
    how: &Reading<'_>,
    problems: &mut Problems<'_>,
    mut given: Vec<Given<'_>>,
) -> Vec<ReadFolder> {
    let mut tree = vec![ReadFolder {
        files,
        calls: Vec::new(),
        key: String::new(),
        dir: canonical,
        reached: folder.to_path_buf(),
        model: None,
    }];
    let mut at = 0;
    while at < tree.len() {
        let here = tree[at].dir.is_some().then(|| tree[at].reached.clone());
        for (name, source, version) in module_sources(&tree[at].files) {
            let key = match tree[at].key.as_str() {
                "" => name.clone(),
                parent => format!("{parent}.{name}"),
            };
            let called = match &here {
                Some(dir) => {
                    called_module(dir, root, &source, version.as_deref(), downloaded.get(&key))
                }
                None => None,
            };
            let Some(called) = called else {
                continue;
            };
            let existing = tree.iter().position(|f| match &called {
                Called::Dir(_, dir) => f.dir.as_ref() == Some(dir),
                Called::Model(model) => f.model == Some(model.name),
            });
            let index = match existing {
                Some(index) => index,
                None if tree.len() < MAX_FOLDERS => {
                    tree.push(read_called(called, key, how, problems, &mut given));
                    tree.len() - 1
                }
                None => continue,
            };
            tree[at].calls.push((name, index));
        }
        at += 1;
    }
    tree
}

fn read_called(
    called: Called,
    key: String,
    how: &Reading<'_>,
    problems: &mut Problems<'_>,
    given: &mut Vec<Given<'_>>,
) -> ReadFolder {
    // A buffer being edited counts as named: its syntax errors are shown.
    let named = Reading {
        named: true,
        ..*how
    };
    match called {
        Called::Dir(reached, dir) => {
            let excluded: discover::Excluded = std::sync::Arc::new(|_: &Path| false);
            let files = discover::terraform_files_in(&reached, &excluded)
                .iter()
                .map(|path| match take_given(given, |g| same_file(g, path)) {
                    Some(given) => parse_text(path, given.text, &named, problems.1),
                    None => read_file(path, how, problems.0, problems.1),
                })
                .collect();
            ReadFolder {
                files,
                calls: Vec::new(),
                key,
                dir: Some(dir),
                reached,
                model: None,
            }
        }
        Called::Model(model) => {
            let path = PathBuf::from(model.path);
            let files = vec![read_model(model, &path, how, problems.1)];
            ReadFolder {
                files,
                calls: Vec::new(),
                key,
                dir: None,
                reached: path,
                model: Some(model.name),
            }
        }
    }
}

/// Model trees kept, at most (one per model and file id seen).
const MAX_MODEL_TREES: usize = 64;

/// A registry module's model, parsed once per process and shared by the lints that call it:
/// each lint gives the model's file an id, and the tree whose spans name that id is kept for
/// the next lint that gives it the same one. Parsing the model's text again for every module
/// that calls it was about a twentieth of a Terraform lint, and copying the parsed tree for
/// each lint most of what was left.
fn read_model(
    model: &'static terraform::registry::Model,
    path: &Path,
    how: &Reading<'_>,
    unparsed: &mut Unparsed,
) -> Read {
    type Parsed = crate::fxhash::FxHashMap<(&'static str, FileId), Arc<Body>>;
    static PARSED: std::sync::LazyLock<std::sync::Mutex<Parsed>> =
        std::sync::LazyLock::new(Default::default);
    let lock = || {
        PARSED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let id = how.ids.next();
    let cached = lock().get(&(model.name, id)).cloned();
    let body = match cached {
        Some(body) => body,
        None => match parse::hcl::parse(model.text, id) {
            Ok(body) => {
                let body = Arc::new(body);
                let mut parsed = lock();
                // Ids are small (a module's files come first), so few trees are kept; the bound
                // holds for modules of hundreds of files too.
                if parsed.len() < MAX_MODEL_TREES {
                    parsed.insert((model.name, id), body.clone());
                }
                body
            }
            // Not expected (a test below parses every model); it would be reported as any file.
            Err(_) => return parse_text(path, model.text.to_string(), how, unparsed),
        },
    };
    Read {
        id,
        source: SourceFile::new(path, model.text.to_string()),
        body: Some(body),
    }
}

/// The `module` blocks of a module's files: call name, `source` and `version`.
fn module_sources(files: &[Read]) -> Vec<(String, String, Option<String>)> {
    files
        .iter()
        .filter_map(|f| f.body.as_deref())
        .flat_map(|body| body.blocks())
        .filter(|b| b.kind == "module")
        .filter_map(|b| {
            let name = b.label(0)?.to_string();
            let source = b.body.attribute("source")?.value.as_str()?.to_string();
            let version = b
                .body
                .attribute("version")
                .and_then(|v| v.value.as_str())
                .map(str::to_string);
            Some((name, source, version))
        })
        .collect()
}

/// Where a call's module is read from, if anywhere: the folder `terraform init` downloaded it
/// to; a local folder inside the project; a registry module's model. `None` for the Lambda
/// module (modelled apart) and for what cannot be read.
fn called_module(
    here: &Path,
    root: &Path,
    source: &str,
    version: Option<&str>,
    downloaded: Option<&PathBuf>,
) -> Option<Called> {
    if terraform::lambda_module(source, &|s| local_lambda_module(here, root, s)).is_some() {
        return None;
    }
    if let Some(reached) = downloaded
        && let Ok(dir) = std::fs::canonicalize(reached)
        && dir.is_dir()
    {
        return Some(Called::Dir(reached.clone(), dir));
    }
    if source.starts_with("./") || source.starts_with("../") {
        let reached = joined(here, Path::new(source));
        let dir = std::fs::canonicalize(&reached).ok()?;
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        return (dir.starts_with(&root) && dir.is_dir()).then_some(Called::Dir(reached, dir));
    }
    terraform::registry::model(source, version).map(Called::Model)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// `relative` followed from `base` without reading the file system, `.` and `name/..` taken
/// out, so a called module's files show as `modules/queue/main.tf` rather than
/// `app/../modules/queue/main.tf`. `base` itself is kept as given (it may climb out of the
/// working folder).
fn joined(base: &Path, relative: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = base.components().collect();
    for component in relative.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// `.terraform/modules/modules.json`, which `terraform init` writes: each call's key and the
/// folder its module was downloaded to (relative to the module linted).
fn downloaded_modules(folder: &Path) -> crate::fxhash::FxHashMap<String, PathBuf> {
    let path = folder
        .join(".terraform")
        .join("modules")
        .join("modules.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Default::default();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Default::default();
    };
    json.get("Modules")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let key = m.get("Key")?.as_str()?;
            let dir = m.get("Dir")?.as_str()?;
            (!key.is_empty()).then(|| (key.to_string(), folder.join(dir)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model read from the cache is the model parsed afresh, every span in the file the
    /// lint gave it, however many lints read it.
    #[test]
    fn a_registry_model_read_from_the_cache_is_the_model_parsed_for_its_file() {
        let config = Config::default();
        let ids = FileIds::default();
        // The cache parses the model as file 0: the ids this test checks come after it.
        ids.next();
        let how = Reading {
            ids: &ids,
            config: &config,
            named: false,
        };
        let sources = [
            ("terraform-aws-modules/sqs/aws", None),
            ("terraform-aws-modules/sqs/aws", Some("~> 3.0")),
            ("terraform-aws-modules/dynamodb-table/aws", None),
        ];
        for (source, version) in sources {
            let model = terraform::registry::model(source, version).expect("a model");
            let path = PathBuf::from(model.path);
            for _ in 0..2 {
                let mut unparsed = Unparsed::default();
                let cached = read_model(model, &path, &how, &mut unparsed);
                let parsed = parse::hcl::parse(model.text, cached.id).expect("the model parses");
                assert_ne!(cached.id, FileId(0));
                assert_eq!(cached.body.as_deref(), Some(&parsed), "{}", model.name);
                assert_eq!(cached.source.text, model.text);
                assert!(unparsed.findings.is_empty() && unparsed.skipped.is_empty());
            }
        }
    }
}
