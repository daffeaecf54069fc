//! Finding the files to lint: files named on the command line always, and inside folders
//! every `.yml`, `.yaml`, `.json` and `.template` file that `.gitignore` does not exclude.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use crate::config::Exclude;

/// Extensions considered inside folders. The format is then decided by content.
pub const EXTENSIONS: &[&str] = &["yml", "yaml", "json", "template"];

/// Folders never worth walking: dependency trees hold thousands of unrelated YAML files.
const SKIPPED_DIRS: &[&str] = &["node_modules"];

/// A path that could not be walked.
#[derive(Debug)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// Files to lint in a stable order (command-line order, then sorted within each folder).
/// `exclude` applies to named files too, so pre-commit and CI honour the configuration.
pub fn discover(paths: &[PathBuf], exclude: &Exclude) -> (Vec<PathBuf>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, exclude, &mut files, &mut errors),
            Ok(_) if exclude.matches(path) => {}
            // Named files are linted whatever their extension (pre-commit passes them so).
            Ok(_) => files.push(path.clone()),
            Err(e) => errors.push(WalkError {
                path: path.clone(),
                message: io_message(&e),
            }),
        }
    }
    dedup_keeping_first(&mut files);
    (files, errors)
}

/// A file named twice (directly and through its folder, say) is linted once.
fn dedup_keeping_first(files: &mut Vec<PathBuf>) {
    let mut seen = std::collections::HashSet::new();
    files.retain(|path| {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        seen.insert(key)
    });
}

fn walk(root: &Path, exclude: &Exclude, files: &mut Vec<PathBuf>, errors: &mut Vec<WalkError>) {
    let exclude = exclude.clone();
    let walker = WalkBuilder::new(root)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            let skipped_dir = entry.file_type().is_some_and(|t| t.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n));
            !skipped_dir && (entry.depth() == 0 || !exclude.matches(entry.path()))
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && has_template_extension(entry.path()) {
                    files.push(entry.into_path());
                }
            }
            Err(e) => errors.push(WalkError {
                path: error_path(&e).unwrap_or_else(|| root.to_path_buf()),
                message: walk_message(&e),
            }),
        }
    }
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
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
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

/// The root of the project a file belongs to: the enclosing git repository, else the current
/// folder. Serverless includes are never read from outside it.
pub fn project_root(dir: &Path) -> PathBuf {
    let dir = absolute(dir);
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| absolute(Path::new(".")))
}
