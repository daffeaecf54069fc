//! Reading a file's bytes and decoding them to text, and what an undecodable file reports.

use std::io::Read;
use std::path::Path;

use crate::discover;
use crate::parse;
use crate::source::{FileId, SourceFile};

use super::FileReport;
use super::lint::{Linting, unparsed_report};
use super::unparsed;

/// Why a file's text could not be had.
pub(super) enum ReadError {
    /// Not read at all: missing, unreadable, too large, not a regular file.
    Unreadable(String),
    /// Read, but its bytes are not text in an encoding the linter reads.
    Undecodable(Undecodable),
}

impl ReadError {
    pub(super) fn message(self) -> String {
        match self {
            ReadError::Unreadable(message) => message,
            ReadError::Undecodable(bytes) => bytes.message,
        }
    }
}

/// Bytes that do not decode, with what can be shown and searched of them.
pub(super) struct Undecodable {
    /// The valid UTF-8 before the problem, when there is some (the offset then means the same
    /// byte in it); empty otherwise. (A binary file's bytes before its first NUL are rarely
    /// text; lossy decoding would change their length and put the offset in the middle of a
    /// character.)
    prefix: String,
    offset: usize,
    message: String,
    /// A lossy decoding of the whole file, to look for signs of a trigger in.
    content: String,
}

impl Undecodable {
    pub(super) fn new(bytes: &[u8], error: parse::ParseError) -> Undecodable {
        let offset = error.offset.min(bytes.len());
        let (prefix, offset) = match std::str::from_utf8(&bytes[..offset]) {
            Ok(prefix) => (prefix.to_string(), offset),
            Err(_) => (String::new(), 0),
        };
        Undecodable {
            prefix,
            offset,
            message: error.message,
            content: String::from_utf8_lossy(bytes).into_owned(),
        }
    }

    /// An invalid-syntax finding, or the file passed over (found in a walk, no sign of a
    /// trigger).
    pub(super) fn report(self, file: FileId, path: &Path, how: &Linting<'_>) -> FileReport {
        let failure = unparsed::Failure {
            file,
            path,
            text: &self.prefix,
            content: &self.content,
            syntax: crate::rules::invalid_syntax::Syntax::Text,
            offset: self.offset,
            message: &self.message,
        };
        let verdict = unparsed::judge(&failure, how.named, how.config);
        let mut report = unparsed_report(verdict);
        report.path = path.to_path_buf();
        report.file = Some(file);
        if !report.findings.is_empty() {
            report
                .sources
                .insert(file, SourceFile::new(path, self.prefix));
        }
        report
    }
}

/// Reads a file as text, refusing what is too big, binary, not text, or not a regular file
/// (a FIFO would block the open, so the type is checked first).
pub(super) fn read(path: &Path) -> Result<String, ReadError> {
    let fail = |message: String| ReadError::Unreadable(message);
    let meta = std::fs::metadata(path).map_err(|e| fail(discover::io_message(&e)))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".to_string()));
    }
    if meta.len() > parse::MAX_FILE_BYTES {
        return Err(fail(too_large(meta.len())));
    }
    let file = std::fs::File::open(path).map_err(|e| fail(discover::io_message(&e)))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Read at most one byte past the limit, in case the file grew after the size check.
    file.take(parse::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(discover::io_message(&e)))?;
    if bytes.len() as u64 > parse::MAX_FILE_BYTES {
        return Err(fail(too_large(bytes.len() as u64)));
    }
    parse::decode(&bytes).map_err(|e| ReadError::Undecodable(Undecodable::new(&bytes, e)))
}

fn too_large(bytes: u64) -> String {
    format!(
        "file is {} MiB, larger than the {} MiB limit",
        bytes / (1024 * 1024),
        parse::MAX_FILE_BYTES / (1024 * 1024)
    )
}
