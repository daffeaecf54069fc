//! Finding the files to lint: files named on the command line always, and inside folders
//! every `.yml`, `.yaml`, `.json` and `.template` file that `.gitignore` does not exclude,
//! hidden folders included, except the folders of tools and build output listed below.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::WalkBuilder;

/// Extensions considered inside folders. The format is then decided by content (`.tf` files,
/// and `.tf.json` among the `.json` ones, are Terraform).
pub const EXTENSIONS: &[&str] = &["yml", "yaml", "json", "template", "tf"];

/// Folders never worth walking: dependency trees hold thousands of unrelated YAML files, and
/// version control, deploy tools and build steps keep copies or caches of what is linted
/// where it was written (`.serverless` and `.aws-sam` hold the templates they generate).
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    ".serverless",
    ".aws-sam",
    ".terraform",
    ".terragrunt-cache",
    ".build",
    ".esbuild",
    ".webpack",
    ".venv",
    ".tox",
    ".cache",
    ".next",
    ".nuxt",
    ".idea",
    ".vscode",
    ".pytest_cache",
    ".mypy_cache",
    "__pycache__",
];

/// A file to lint and where it was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    pub path: PathBuf,
    /// The folder named on the command line that the file was found in; for a named file, the
    /// working directory when it holds the file, else the file's own folder. The project root
    /// when no git repository holds the file.
    pub root: PathBuf,
    /// Named on the command line (always linted, and a file that does not parse is an error),
    /// rather than found in a folder.
    pub named: bool,
    /// For a Terraform module (`path` is then its folder): its files, all read as one unit.
    pub terraform: Option<TerraformModule>,
}

/// The files of a Terraform module, and those whose findings are reported.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TerraformModule {
    pub files: Vec<PathBuf>,
    /// Only these files' findings are reported (the files named on the command line, read
    /// with the rest of their folder as context); `None` for all of them.
    pub reported: Option<Vec<PathBuf>>,
}

/// Whether a path is excluded (by the configuration or the command line).
pub type Excluded = Arc<dyn Fn(&Path) -> bool + Send + Sync>;

/// A path that could not be walked.
#[derive(Debug)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// Files to lint in a stable order (command-line order, then sorted within each folder).
/// `excluded` applies to named files too, so pre-commit and CI honour the configuration.
pub fn discover(paths: &[PathBuf], excluded: &Excluded) -> (Vec<Target>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, excluded, &mut files, &mut errors),
            Ok(_) if excluded(path) => {}
            // Named files are linted whatever their extension (pre-commit passes them so).
            Ok(_) => files.push(Target {
                path: path.clone(),
                root: named_file_root(path),
                named: true,
                terraform: None,
            }),
            Err(e) => errors.push(WalkError {
                path: path.clone(),
                message: broken_link_message(path, &e),
            }),
        }
    }
    dedup_keeping_first(&mut files);
    (group_terraform_modules(files, excluded), errors)
}

/// Gathers the Terraform files of each folder into one module target. A `.tf` file named on
/// the command line brings its folder's other Terraform files as context, and only the named
/// files are reported (unless the folder was walked too).
fn group_terraform_modules(targets: Vec<Target>, excluded: &Excluded) -> Vec<Target> {
    let mut modules: std::collections::BTreeMap<PathBuf, Target> = Default::default();
    let mut others = Vec::new();
    for target in targets {
        if !crate::parse::hcl::is_terraform(&target.path) {
            others.push(target);
            continue;
        }
        let folder = target
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let module = modules.entry(folder.clone()).or_insert_with(|| Target {
            path: folder.clone(),
            root: target.root.clone(),
            named: false,
            terraform: Some(TerraformModule {
                files: Vec::new(),
                reported: Some(Vec::new()),
            }),
        });
        let Some(terraform) = &mut module.terraform else {
            continue;
        };
        if target.named {
            module.named = true;
            if let Some(reported) = &mut terraform.reported {
                reported.push(target.path.clone());
            }
            if terraform.files.is_empty() {
                terraform.files = terraform_files_in(&folder, excluded);
            }
            if !terraform.files.contains(&target.path) {
                terraform.files.push(target.path);
            }
        } else {
            // Found by a walk: every file of the folder is reported.
            terraform.reported = None;
            if !terraform.files.contains(&target.path) {
                terraform.files.push(target.path);
            }
        }
    }
    for module in modules.values_mut() {
        if let Some(terraform) = &mut module.terraform {
            terraform.files.sort();
            terraform.files.dedup();
        }
    }
    others.extend(modules.into_values());
    others
}

/// The `.tf` and `.tf.json` files directly in a folder, not excluded.
pub fn terraform_files_in(folder: &Path, excluded: &Excluded) -> Vec<PathBuf> {
    Listing::read(folder).map_or_else(Vec::new, |listing| listing.terraform_files(excluded))
}

/// A folder's entries, read once for both the `.tf` files it holds and the folders below it
/// (linting an editor's file lists its folder for both).
pub struct Listing {
    folder: PathBuf,
    /// A file named without a folder is in the working directory, and keeps its bare name.
    here: bool,
    entries: Vec<(std::ffi::OsString, std::fs::FileType)>,
}

impl Listing {
    pub fn read(folder: &Path) -> Option<Listing> {
        let here = folder.as_os_str().is_empty();
        let entries = std::fs::read_dir(if here { Path::new(".") } else { folder })
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name(), e.file_type().ok()?)))
            .collect();
        Some(Listing {
            folder: folder.to_path_buf(),
            here,
            entries,
        })
    }

    /// Whether the folder holds an entry of that name.
    pub fn has(&self, name: &str) -> bool {
        self.entries.iter().any(|(entry, _)| entry == name)
    }

    /// The `.tf` and `.tf.json` files, not excluded, sorted.
    pub fn terraform_files(&self, excluded: &Excluded) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self
            .entries
            .iter()
            .filter(|(_, kind)| kind.is_file())
            .map(|(name, _)| {
                if self.here {
                    PathBuf::from(name)
                } else {
                    self.folder.join(name)
                }
            })
            .filter(|p| crate::parse::hcl::is_terraform(p) && !excluded(p))
            .collect();
        files.sort();
        files
    }

    /// The folders in it (through symbolic links too), as paths below `base`: the folder
    /// itself as another path names it.
    pub fn folders(&self, base: &Path) -> Vec<PathBuf> {
        self.entries
            .iter()
            .map(|(name, kind)| (base.join(name), kind))
            .filter(|(path, kind)| kind.is_dir() || (kind.is_symlink() && path.is_dir()))
            .map(|(path, _)| path)
            .collect()
    }
}

/// A file named twice (directly and through its folder, say, or through a symbolic link) is
/// linted once, under its real name when one of the names is a link, and as named when it
/// was named.
fn dedup_keeping_first(files: &mut Vec<Target>) {
    let mut seen: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    let mut kept: Vec<Target> = Vec::with_capacity(files.len());
    for target in files.drain(..) {
        let key = std::fs::canonicalize(&target.path).unwrap_or_else(|_| target.path.clone());
        match seen.get(&key) {
            Some(&i) => {
                let named = kept[i].named || target.named;
                if is_symlink(&kept[i].path) && !is_symlink(&target.path) {
                    kept[i] = target;
                }
                kept[i].named = named;
            }
            None => {
                seen.insert(key, kept.len());
                kept.push(target);
            }
        }
    }
    *files = kept;
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn walk(root: &Path, excluded: &Excluded, files: &mut Vec<Target>, errors: &mut Vec<WalkError>) {
    let excluded = excluded.clone();
    let walker = WalkBuilder::new(root)
        .require_git(false)
        .hidden(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            entry.depth() == 0 || (!is_skipped(entry) && !excluded(entry.path()))
        })
        .build();
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| absolute(root));
    let target = |path: PathBuf| Target {
        path,
        root: root.to_path_buf(),
        named: false,
        terraform: None,
    };
    for entry in walker {
        match entry {
            Ok(entry) if !has_template_extension(entry.path()) => {}
            Ok(entry) => match entry.file_type() {
                Some(t) if t.is_file() => files.push(target(entry.into_path())),
                Some(t) if t.is_symlink() => match follow_symlink(entry.path(), &canonical_root) {
                    Ok(true) => files.push(target(entry.into_path())),
                    Ok(false) => {}
                    Err(message) => errors.push(WalkError {
                        path: entry.into_path(),
                        message,
                    }),
                },
                _ => {}
            },
            Err(e) => errors.push(WalkError {
                path: error_path(&e).unwrap_or_else(|| root.to_path_buf()),
                message: walk_message(&e),
            }),
        }
    }
}

/// Folders of tools and build output, and what a CDK cloud assembly (`cdk.out`, marked by its
/// `cdk.out` file) holds besides templates: its manifests, construct tree and asset folders.
fn is_skipped(entry: &ignore::DirEntry) -> bool {
    let Some(name) = entry.file_name().to_str() else {
        return false;
    };
    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
    if is_dir && SKIPPED_DIRS.contains(&name) {
        return true;
    }
    let assembly_part = (is_dir && name.starts_with("asset."))
        || (!is_dir
            && (name == "manifest.json" || name == "tree.json" || name.ends_with(".assets.json")));
    assembly_part
        && entry
            .path()
            .parent()
            .is_some_and(|folder| folder.join("cdk.out").is_file())
}

/// Whether a symbolic link met in a folder walk is linted: yes when it leads to a regular file
/// inside the walked folder. Links to folders are not followed (so a walk cannot loop), and a
/// link leading outside the folder is refused: on an untrusted pull request it could make the
/// linter print a snippet of any file on the CI machine.
fn follow_symlink(link: &Path, root: &Path) -> Result<bool, String> {
    let target = std::fs::canonicalize(link).map_err(|e| broken_link_message(link, &e))?;
    if target.is_dir() {
        return Ok(false);
    }
    if !target.starts_with(root) {
        return Err(format!(
            "symbolic link to {}, outside {}; not followed",
            target.display(),
            root.display()
        ));
    }
    Ok(true)
}

/// Why a path could not be followed, naming the missing target of a dangling link. (A link
/// loop already reads well from the OS: "too many levels of symbolic links".)
fn broken_link_message(link: &Path, error: &std::io::Error) -> String {
    match std::fs::read_link(link) {
        Ok(target) if error.kind() == std::io::ErrorKind::NotFound => {
            format!("broken symbolic link: {} does not exist", target.display())
        }
        _ => io_message(error),
    }
}

/// A path in a cookiecutter or Jinja project (`{{cookiecutter.project}}/template.yaml`): its
/// files are templates only once rendered.
pub fn is_jinja_path(path: &Path) -> bool {
    path.to_string_lossy().contains("{{")
}

fn has_template_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn walk_message(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_message(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop back to {}", ancestor.display())
        }
        ignore::Error::Io(e) => io_message(e),
        other => other.to_string(),
    }
}

/// An I/O error in words, without the OS error number.
pub fn io_message(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = error.to_string();
            let text = text
                .find(" (os error")
                .map_or(text.as_str(), |i| &text[..i]);
            // "Too many levels of symbolic links" reads better mid-sentence in lower case.
            let mut chars = text.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_lowercase().chain(chars).collect()
            })
        }
    }
}

/// A path as every output prints it: relative to the working directory when it is inside it
/// (files included by `${file(...)}` are read by their absolute paths), else as given, without
/// the `./` a walk of `.` puts in front.
pub fn display_path(path: &Path) -> String {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    match cwd {
        Some(cwd) if path.is_absolute() => relative_to(path, cwd)
            .unwrap_or_else(|| path.to_path_buf())
            .display()
            .to_string(),
        _ => path
            .strip_prefix(".")
            .ok()
            .filter(|rest| !rest.as_os_str().is_empty())
            .unwrap_or(path)
            .display()
            .to_string(),
    }
}

/// `path` relative to the folder `base` (with `..` to climb out of it), when the two share more
/// than the file system's root.
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let path = absolute(path);
    let base = absolute(base);
    let common = path
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        return None;
    }
    let mut relative = PathBuf::new();
    for _ in base.components().skip(common) {
        relative.push("..");
    }
    relative.extend(path.components().skip(common));
    Some(relative)
}

/// An absolute path without `.` and `..` parts (resolved lexically), for comparing prefixes;
/// the empty path is the current folder.
pub fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Where a file named on the command line is taken to belong when no git repository holds it:
/// the working directory the user ran from when the file is inside it (so a module's `../..`
/// source or a service's `../shared.yml` in the same checkout is reachable), else its folder.
fn named_file_root(path: &Path) -> PathBuf {
    let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let cwd = absolute(Path::new("."));
    if absolute(path).starts_with(&cwd) {
        cwd
    } else {
        parent
    }
}

/// The root of the project a folder belongs to: the enclosing git repository, else
/// `fallback` (the folder named on the command line). Serverless includes are never read from
/// outside it.
pub fn project_root(dir: &Path, fallback: &Path) -> PathBuf {
    let dir = absolute(dir);
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| absolute(fallback))
}
