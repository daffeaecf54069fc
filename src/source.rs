//! Source files, byte spans and the line index that turns spans into line/column pairs.
//!
//! Everything upstream of the reporters works with byte offsets only; line and column are
//! computed when a report is rendered, so parsing pays nothing for them.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Index of a file inside a [`Sources`] table. Spans carry it so a finding can point into an
/// included file as easily as into the template that includes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and column; the column counts Unicode scalar values, which is what editors
/// and GitHub annotations display.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// The text of one file and the path it was named by.
#[derive(Debug)]
pub struct SourceFile {
    /// The path exactly as the user gave it (or as discovery joined it to what was given).
    pub path: PathBuf,
    pub text: String,
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> SourceFile {
        SourceFile {
            path: path.into(),
            text,
            line_starts: OnceLock::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where each line starts (cached): what `line_col` and editors' positions count from.
    pub fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| line_starts(&self.text))
    }

    /// Line and column (both 1-based) of a byte offset. Offsets past the end clamp to the end.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line_index = starts.partition_point(|&s| s <= offset) - 1;
        let line_start = starts[line_index];
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count())
            + 1;
        LineCol {
            line: line_index + 1,
            column,
        }
    }

    /// The byte range of the given 1-based line, without its line terminator.
    pub fn line_text(&self, line: usize) -> &str {
        let starts = self.line_starts();
        let Some(&start) = starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// The byte offset where each line of a text starts. A lone CR ends a line too (old Mac files,
/// and the language server protocol counts it); CRLF counts once, at the LF.
pub fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1).is_none_or(|&n| n != b'\n'));
        if ends_line {
            starts.push(i + 1);
        }
    }
    starts
}

/// Files read for a run or one report, addressed by [`FileId`]. Ids are handed out by
/// [`FileIds`], so files included while linting others can be added in any order.
#[derive(Debug, Default)]
pub struct Sources {
    files: std::collections::BTreeMap<FileId, SourceFile>,
}

impl Sources {
    pub fn insert(&mut self, id: FileId, file: SourceFile) {
        self.files.insert(id, file);
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        self.files
            .get(&id)
            .expect("every span's file is in the sources")
    }

    /// A file's text, where the sources hold it (a report keeps only what it needs).
    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(&id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().map(|(id, f)| (*id, f))
    }

    #[allow(clippy::should_implement_trait)]
    pub fn into_iter(self) -> impl Iterator<Item = (FileId, SourceFile)> {
        self.files.into_iter()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Hands out file ids, from any thread.
#[derive(Debug, Default)]
pub struct FileIds(std::sync::atomic::AtomicU32);

impl FileIds {
    pub fn next(&self) -> FileId {
        FileId(self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let f = SourceFile::new("t.yml", "a: 1\r\nbé: 2\nc: 3".to_string());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 1 });
        // 'é' is two bytes but one column.
        assert_eq!(f.line_col(9), LineCol { line: 2, column: 3 });
        assert_eq!(f.line_col(13), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_text(2), "bé: 2");
        assert_eq!(f.line_col(999), LineCol { line: 3, column: 5 });
    }

    #[test]
    fn lone_carriage_return_ends_a_line() {
        let f = SourceFile::new("t.yml", "a\rb".to_string());
        assert_eq!(f.line_col(2), LineCol { line: 2, column: 1 });
    }
}
