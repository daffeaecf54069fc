//! Byte offsets to editor positions and back. The protocol counts columns in UTF-16 code
//! units unless the client agrees to UTF-8, while the pipeline's spans are byte offsets.

use std::borrow::Cow;

use lsp_types::{Position, Range};

use crate::source::{SourceFile, line_starts};

/// How the client counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The start of every line of one text, counted as the rest of the project counts lines.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Cow<'t, [usize]>,
}

impl<'t> LineIndex<'t> {
    /// The lines of a text the engine has not read (an editor's buffer being changed).
    pub fn new(text: &'t str) -> LineIndex<'t> {
        LineIndex {
            text,
            starts: Cow::Owned(line_starts(text)),
        }
    }

    /// The lines of a linted file, from the starts its source already holds.
    pub fn of(source: &'t SourceFile) -> LineIndex<'t> {
        LineIndex {
            text: &source.text,
            starts: Cow::Borrowed(source.line_starts()),
        }
    }

    /// The position of a byte offset (clamped to the text, and to a character boundary).
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let before = &self.text[self.starts[line]..offset];
        let character = match encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, start: usize, end: usize, encoding: Encoding) -> Range {
        Range::new(
            self.position(start, encoding),
            self.position(end.max(start), encoding),
        )
    }

    /// The byte offset of a position; a column past the end of its line means the line's end,
    /// a line past the end of the text means the text's end.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let line = self.line_text(position.line as usize);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += match encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        start + line.len()
    }

    /// A line's text without its line break.
    pub fn line_text(&self, line: usize) -> &'t str {
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&s| s - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    /// The 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset.min(self.text.len()))
            - 1
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line]
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_or_bytes() {
        let text = "a: é😀x\nb: 1\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(x, Encoding::Utf16), Position::new(0, 6));
        assert_eq!(index.position(x, Encoding::Utf8), Position::new(0, 9));
        assert_eq!(index.offset(Position::new(0, 6), Encoding::Utf16), x);
        assert_eq!(index.offset(Position::new(0, 9), Encoding::Utf8), x);
        let b = text.find('b').unwrap();
        assert_eq!(index.position(b, Encoding::Utf16), Position::new(1, 0));
        assert_eq!(index.offset(Position::new(1, 99), Encoding::Utf16), b + 4);
        assert_eq!(
            index.offset(Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        assert_eq!(index.line_text(0), "a: é😀x");
        assert_eq!(index.line_of(b), 1);
    }

    #[test]
    fn lines_end_at_lf_crlf_and_a_lone_cr_as_the_protocol_says() {
        let text = "a: 1\r\nb: 2\rc: 3\n";
        let index = LineIndex::new(text);
        let c = text.find('c').unwrap();
        assert_eq!(index.position(c, Encoding::Utf16), Position::new(2, 0));
        assert_eq!(index.line_text(0), "a: 1");
        assert_eq!(index.line_text(1), "b: 2");
        let source = SourceFile::new("t.yaml", text.to_string());
        assert_eq!(
            LineIndex::of(&source).position(c, Encoding::Utf8),
            Position::new(2, 0)
        );
    }
}
