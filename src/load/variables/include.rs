//! `${file(...)}` includes: locating them inside the project, reading and parsing each once.

use std::path::{Path, PathBuf};

use crate::source::{FileId, SourceFile, Span};
use crate::tree::{Node, Value};

use super::resolver::{Failure, Outcome, Resolver};
use super::{Definition, IncludeError, Included, MAX_INCLUDE_DEPTH};
impl Resolver<'_> {
    /// `${file(path):address}`: a YAML or JSON file inside the project, resolved in turn.
    pub(super) fn file_reference(
        &mut self,
        path: &str,
        address: Option<&str>,
        dir: &Path,
        depth: usize,
    ) -> Outcome {
        if depth >= MAX_INCLUDE_DEPTH {
            return Err(Failure::new(format!(
                "includes nest deeper than {MAX_INCLUDE_DEPTH} files"
            )));
        }
        let located = self.locate(path, dir)?;
        let root = self.load_file(&located)?;
        let file_dir = located.parent().map(Path::to_path_buf).unwrap_or_default();
        let what = match address {
            Some(a) => format!("{path}:{a}"),
            None => path.to_string(),
        };
        let mut found = self.walk(&root, address.unwrap_or(""), &file_dir, depth + 1)?;
        found.definitions.insert(
            0,
            Definition {
                span: found.node.span,
                what,
            },
        );
        Ok(found)
    }

    /// The canonical path of an include: relative to the including file, else to the service
    /// folder (the framework's own base); refused outside the project root.
    fn locate(&mut self, path: &str, dir: &Path) -> Result<PathBuf, Failure> {
        let candidates = [dir.join(path), self.context.service_dir.join(path)];
        let found = candidates
            .iter()
            .find_map(|c| std::fs::canonicalize(c).ok());
        let Some(found) = found else {
            return Err(Failure {
                missing_file: Some(path.to_string()),
                ..Failure::new(format!("the file `{path}` does not exist"))
            });
        };
        let root = std::fs::canonicalize(&self.context.project_root)
            .unwrap_or_else(|_| self.context.project_root.clone());
        if !found.starts_with(&root) {
            let message = format!(
                "refused to read `{path}` ({}): it is outside the project root {}",
                found.display(),
                root.display()
            );
            self.errors.push(IncludeError {
                file: self.service_file,
                offset: None,
                message: message.clone(),
                invalid_syntax: false,
            });
            return Err(Failure::new(message));
        }
        Ok(found)
    }

    /// Reads and parses an included file once per run of this service.
    fn load_file(&mut self, path: &Path) -> Result<Node, Failure> {
        if let Some((_, root)) = self.files.get(path) {
            return root
                .clone()
                .ok_or_else(|| Failure::new(format!("`{}` could not be read", path.display())));
        }
        let id = self.context.ids.next();
        let (source, root, problem) = read_include(path, id);
        if let Some(problem) = problem {
            self.errors.push(IncludeError {
                file: id,
                offset: problem.offset,
                message: problem.message,
                invalid_syntax: problem.invalid_syntax,
            });
        }
        self.included.push(Included { source, id });
        self.files.insert(path.to_path_buf(), (id, root.clone()));
        root.ok_or_else(|| Failure::new(format!("`{}` could not be read", path.display())))
    }
}

/// A problem with an included file: where (a byte offset, when known) and what.
pub(super) struct ReadProblem {
    offset: Option<usize>,
    message: String,
    invalid_syntax: bool,
}

impl ReadProblem {
    fn unreadable(message: String) -> Option<ReadProblem> {
        Some(ReadProblem {
            offset: None,
            message,
            invalid_syntax: false,
        })
    }

    fn invalid(offset: usize, message: String) -> Option<ReadProblem> {
        Some(ReadProblem {
            offset: Some(offset),
            message,
            invalid_syntax: true,
        })
    }
}

/// Reads an include as YAML or JSON (by extension, as the framework does).
pub(super) fn read_include(
    path: &Path,
    id: FileId,
) -> (SourceFile, Option<Node>, Option<ReadProblem>) {
    let display = path.to_path_buf();
    let bytes = match std::fs::read(path) {
        Ok(bytes) if bytes.len() as u64 <= crate::parse::MAX_FILE_BYTES => bytes,
        Ok(_) => {
            return (
                SourceFile::new(display, String::new()),
                None,
                ReadProblem::unreadable(
                    "included file is larger than the 64 MiB limit".to_string(),
                ),
            );
        }
        Err(e) => {
            return (
                SourceFile::new(display, String::new()),
                None,
                ReadProblem::unreadable(crate::discover::io_message(&e)),
            );
        }
    };
    let text = match crate::parse::decode(&bytes) {
        Ok(text) => text,
        Err(e) => {
            return (
                SourceFile::new(display, String::new()),
                None,
                // The text is not kept, so the problem is placed at its start.
                ReadProblem::invalid(0, format!("{} at byte {}", e.message, e.offset)),
            );
        }
    };
    let syntax = crate::parse::syntax_of(path, &text);
    let parsed = crate::parse::parse(&text, syntax, id);
    let source = SourceFile::new(display, text);
    match parsed {
        Ok(Some(root)) => (source, Some(root), None),
        Ok(None) => (source, Some(Node::new(Span::default(), Value::Null)), None),
        Err(e) => (source, None, ReadProblem::invalid(e.offset, e.message)),
    }
}
