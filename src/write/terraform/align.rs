//! The alignment `terraform fmt` gives a file, line by line, so that an edit can leave a
//! formatted file formatted.
//!
//! `terraform fmt` (hclwrite's `formatCells`) splits each line into a *lead*, an *assign* cell
//! (from the first `=` on, when what follows it closes every bracket it opens) and a *comment*
//! cell (a trailing comment after something else). Consecutive lines with an assign cell form a
//! chain whose `=` signs line up one column after the longest lead; consecutive lines with a
//! comment cell then form a chain whose comments line up one column after the longest text
//! before them. Nothing else about a line moves. This module reads those cells with a small
//! lexer (strings, interpolations, comments, heredocs) and recomputes the spacing before `=`
//! and before comments, nothing more.

use std::borrow::Cow;

/// The cells of one line, as byte offsets into the line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cells {
    /// The `=` that starts the assign cell.
    pub assign: Option<usize>,
    /// The start of the trailing comment.
    pub comment: Option<usize>,
    /// The line is inside a heredoc or a `/* */` comment (or closes it): hclwrite reads it as
    /// part of the line that opened it, so it neither joins nor breaks a chain.
    pub continues: bool,
}

/// What the lexer is inside of when a line ends.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Carry {
    Nothing,
    /// Inside a heredoc, until a line holding only this marker.
    Heredoc(String),
    /// Inside a `/* */` comment.
    BlockComment,
}

/// The cells of every line of `lines`, read in order (heredocs and block comments span lines).
#[cfg(test)]
pub fn cells(lines: &[&str]) -> Vec<Cells> {
    cells_after(lines, Carry::Nothing).0
}

/// The cells of `lines` read from what `carry` says is open before the first, with what is
/// open at the start of each line and after the last.
fn cells_after(lines: &[&str], mut carry: Carry) -> (Vec<Cells>, Vec<Carry>) {
    let mut carries = Vec::with_capacity(lines.len() + 1);
    let cells = lines
        .iter()
        .map(|line| {
            let (cells, next) = line_cells(line, &carry);
            carries.push(std::mem::replace(&mut carry, next));
            cells
        })
        .collect();
    carries.push(carry);
    (cells, carries)
}

/// One token's worth of what `line_cells` needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Equal(usize),
    Open,
    Close,
    /// A string, heredoc opener or any other token that neither opens nor closes.
    Other,
    Heredoc,
    Comment(usize),
}

fn line_cells(line: &str, carry: &Carry) -> (Cells, Carry) {
    match carry {
        Carry::Heredoc(marker) => {
            let next = if line.trim() == marker {
                Carry::Nothing
            } else {
                carry.clone()
            };
            return (continuation(), next);
        }
        Carry::BlockComment => {
            let Some(end) = line.find("*/") else {
                return (continuation(), Carry::BlockComment);
            };
            // No cell starts in a comment that began lines above.
            let (_, next) = tokens(&line[end + 2..]);
            return (continuation(), next);
        }
        Carry::Nothing => {}
    }
    let (tokens, next) = tokens(line);
    (cells_of(&tokens), next)
}

fn continuation() -> Cells {
    Cells {
        continues: true,
        ..Cells::default()
    }
}

/// The cells of a line's tokens, as hclwrite's `linesForFormat` finds them.
fn cells_of(tokens: &[Token]) -> Cells {
    let mut cells = Cells::default();
    let mut lead = tokens;
    if let [rest @ .., Token::Comment(at)] = tokens
        && !rest.is_empty()
    {
        cells.comment = Some(*at);
        lead = rest;
    }
    let equal = lead.iter().enumerate().find_map(|(i, t)| match t {
        Token::Equal(at) => Some((i, *at)),
        _ => None,
    });
    if let Some((i, at)) = equal
        && i > 0
    {
        let mut net = 0i32;
        for token in &lead[i..] {
            match token {
                Token::Open => net += 1,
                Token::Close => net -= 1,
                Token::Heredoc => break,
                _ => {}
            }
        }
        if net == 0 {
            cells.assign = Some(at);
        }
    }
    cells
}

/// The tokens of a line (strings and their interpolations as one token) and what is still
/// open at its end.
fn tokens(line: &str) -> (Vec<Token>, Carry) {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => {
                out.push(Token::Comment(i));
                break;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                out.push(Token::Comment(i));
                break;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => match line[i + 2..].find("*/") {
                Some(end) => {
                    out.push(Token::Comment(i));
                    i += 2 + end + 2;
                }
                None => return (out, Carry::BlockComment),
            },
            b'"' => {
                i = skip_string(bytes, i + 1);
                out.push(Token::Other);
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                let rest = line[i + 2..].trim_start_matches('-');
                let marker: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if marker.is_empty() {
                    i += 2;
                    out.push(Token::Other);
                    continue;
                }
                out.push(Token::Heredoc);
                return (out, Carry::Heredoc(marker));
            }
            b'=' => {
                let next = bytes.get(i + 1).copied();
                let previous = i.checked_sub(1).map(|p| bytes[p]);
                let joined = matches!(next, Some(b'=' | b'>'))
                    || matches!(previous, Some(b'=' | b'!' | b'<' | b'>'));
                out.push(if joined {
                    Token::Other
                } else {
                    Token::Equal(i)
                });
                i += 1;
            }
            b'{' | b'[' | b'(' => {
                out.push(Token::Open);
                i += 1;
            }
            b'}' | b']' | b')' => {
                out.push(Token::Close);
                i += 1;
            }
            _ => {
                let start = i;
                while i < bytes.len() && is_word(bytes[i]) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                out.push(Token::Other);
            }
        }
    }
    (out, Carry::Nothing)
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' || c >= 0x80
}

/// The offset just past the string whose contents start at `i` (interpolations may hold
/// strings of their own); the line's end when it does not close.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                i = skip_interpolation(bytes, i + 2);
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The offset just past the `}` closing an interpolation whose contents start at `i`.
fn skip_interpolation(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i + 1),
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return i + 1,
            b'}' => {
                depth -= 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Columns of a line's text (what hclwrite counts for alignment).
fn width(text: &str) -> usize {
    text.trim_end().chars().count()
}

/// The lines with the spacing before `=` and before trailing comments that `terraform fmt`
/// gives them, everything else as written.
#[cfg(test)]
pub fn format(lines: &[&str]) -> Vec<String> {
    format_cells(lines, &cells(lines))
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// What an edit asks of a region's lines as they were: their cells, and which lines are as
/// `terraform fmt` aligns them.
pub struct Aligned {
    cells: Vec<Cells>,
    formatted: Vec<bool>,
    /// What is open at the start of each line, and after the last.
    carries: Vec<Carry>,
}

impl Aligned {
    pub fn of(lines: &[&str]) -> Aligned {
        let (cells, carries) = cells_after(lines, Carry::Nothing);
        let formatted = format_cells(lines, &cells)
            .iter()
            .zip(lines)
            .map(|(formatted, line)| formatted.as_ref() == *line)
            .collect();
        Aligned {
            cells,
            formatted,
            carries,
        }
    }

    /// The lines of an edit of these lines as `terraform fmt` aligns them, and those in a
    /// chain with one of `touched`, where the first `unchanged` lines are as they were: their
    /// cells are not read again (an argument added at the end of a block leaves all but its
    /// last lines as they were), and the cells are read once for both answers.
    pub fn format_and_chains_edited<'a>(
        &self,
        lines: &[&'a str],
        unchanged: usize,
        touched: &[usize],
    ) -> (Vec<Cow<'a, str>>, Vec<usize>) {
        let unchanged = unchanged.min(self.cells.len()).min(lines.len());
        let mut cells = self.cells[..unchanged].to_vec();
        cells.extend(cells_after(&lines[unchanged..], self.carries[unchanged].clone()).0);
        (format_cells(lines, &cells), chained_cells(&cells, touched))
    }

    /// Whether the lines in a chain with one of `touched` are all as `terraform fmt` aligns
    /// them.
    pub fn formatted_around(&self, touched: &[usize]) -> bool {
        chained_cells(&self.cells, touched)
            .into_iter()
            .all(|i| self.formatted[i])
    }
}

/// `format`, with the lines' cells already read. Only the lines whose spacing changes are
/// copied: most lines of a formatted block come out as they are.
fn format_cells<'a>(lines: &[&'a str], cells: &[Cells]) -> Vec<Cow<'a, str>> {
    let mut out: Vec<Cow<'a, str>> = lines.iter().map(|l| Cow::Borrowed(*l)).collect();
    let mut assigns: Vec<Option<usize>> = cells.iter().map(|c| c.assign).collect();
    let mut comments: Vec<Option<usize>> = cells.iter().map(|c| c.comment).collect();
    // Comments move with the `=` before them, then line up among themselves.
    line_up(&mut out, cells, &mut assigns, Some(&mut comments));
    line_up(&mut out, cells, &mut comments, None);
    out
}

/// In each chain of lines with a cell in `at`, puts the cells one column after the longest
/// text before them; `after` (cells later on the same lines) moves along.
fn line_up(
    out: &mut [Cow<'_, str>],
    cells: &[Cells],
    at: &mut [Option<usize>],
    mut after: Option<&mut [Option<usize>]>,
) {
    for chain in chains(cells, at) {
        let longest = chain
            .iter()
            .map(|&i| width(&out[i][..at[i].unwrap_or(0)]))
            .max()
            .unwrap_or(0);
        for i in chain {
            let cell = at[i].unwrap_or(0);
            let pad = longest - width(&out[i][..cell]) + 1;
            let Some((new, shift)) = respace(&out[i], cell, pad) else {
                continue;
            };
            out[i] = Cow::Owned(new);
            at[i] = Some(cell.saturating_add_signed(shift));
            if let Some(later) = after.as_deref_mut().and_then(|a| a[i].as_mut()) {
                *later = later.saturating_add_signed(shift);
            }
        }
    }
}

/// The runs of consecutive lines that have a cell (`of` each line's), skipping the lines
/// that continue a heredoc or comment.
fn chains(lines: &[Cells], of: &[Option<usize>]) -> Vec<Vec<usize>> {
    let mut runs = Vec::new();
    let mut run = Vec::new();
    for (i, cell) in of.iter().enumerate() {
        if lines[i].continues {
            continue;
        }
        match cell {
            Some(_) => run.push(i),
            None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// The line with exactly `pad` spaces before the offset `at`, and how far `at` moved; `None`
/// when the line has that spacing already.
fn respace(line: &str, at: usize, pad: usize) -> Option<(String, isize)> {
    let before = line[..at].trim_end();
    if at - before.len() == pad && line[before.len()..at].bytes().all(|b| b == b' ') {
        return None;
    }
    let new = format!("{before}{}{}", " ".repeat(pad), &line[at..]);
    let shift = (before.len() + pad) as isize - at as isize;
    Some((new, shift))
}

/// The lines whose cells are in a chain with one of `lines`: what an edit of those lines may
/// realign.
#[cfg(test)]
pub fn chained_with(all: &[&str], lines: &[usize]) -> Vec<usize> {
    chained_cells(&cells(all), lines)
}

/// `chained_with`, with the lines' cells already read.
fn chained_cells(cells: &[Cells], lines: &[usize]) -> Vec<usize> {
    let assigns: Vec<Option<usize>> = cells.iter().map(|c| c.assign).collect();
    let comments: Vec<Option<usize>> = cells.iter().map(|c| c.comment).collect();
    let mut out: Vec<usize> = lines.to_vec();
    for chain in chains(cells, &assigns)
        .into_iter()
        .chain(chains(cells, &comments))
    {
        if lines.iter().any(|l| chain.contains(l)) {
            out.extend(chain);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formatted(text: &str) -> String {
        let lines: Vec<&str> = text.split('\n').collect();
        format(&lines).join("\n")
    }

    #[test]
    fn equals_signs_of_consecutive_attributes_line_up() {
        assert_eq!(
            formatted("  a = 1\n  bcd = 2\n\n  ef = 3\n"),
            "  a   = 1\n  bcd = 2\n\n  ef = 3\n"
        );
    }

    #[test]
    fn a_line_opening_a_bracket_breaks_the_chain() {
        let text = "  a = 1\n  tags = {\n    x = 1\n    yy = 2\n  }\n  long_name = 3\n";
        assert_eq!(
            formatted(text),
            "  a = 1\n  tags = {\n    x  = 1\n    yy = 2\n  }\n  long_name = 3\n"
        );
    }

    #[test]
    fn trailing_comments_line_up_after_the_assignments() {
        assert_eq!(
            formatted("  a = 1 # one\n  bcd = 20 # two\n  # own line\n  e = 3 # three\n"),
            "  a   = 1  # one\n  bcd = 20 # two\n  # own line\n  e = 3 # three\n"
        );
    }

    #[test]
    fn strings_comparisons_and_interpolations_hold_no_assign() {
        let text = "  a = \"x = ${var.y == 1 ? \"}\" : \"{\"}\" # c\n  bb = var.a == var.b\n  c = { for k, v in x : k => v }\n";
        let cells = cells(&text.split('\n').collect::<Vec<_>>());
        assert_eq!(cells[0].assign, Some(4));
        assert!(cells[0].comment.is_some());
        assert_eq!(cells[1].assign, Some(5));
        assert_eq!(cells[2].assign, Some(4));
        assert_eq!(
            formatted(text),
            "  a  = \"x = ${var.y == 1 ? \"}\" : \"{\"}\" # c\n  bb = var.a == var.b\n  c  = { for k, v in x : k => v }\n"
        );
    }

    #[test]
    fn heredoc_lines_are_part_of_the_line_that_opens_them() {
        let text = "  policy = <<EOF\n  a = 1\n  EOF\n  b = 2\n  cc = 3\n";
        assert_eq!(
            formatted(text),
            "  policy = <<EOF\n  a = 1\n  EOF\n  b      = 2\n  cc     = 3\n"
        );
    }

    #[test]
    fn block_comments_spanning_lines_hold_no_cells() {
        let text = "  /* a = 1\n  bb = 2 */\n  c = 3\n";
        let cells = cells(&text.split('\n').collect::<Vec<_>>());
        assert_eq!(cells[0], Cells::default());
        assert_eq!(cells[1], continuation());
        assert_eq!(cells[2].assign, Some(4));
    }

    #[test]
    fn chains_touching_a_line_are_found() {
        let lines = ["a = 1", "bb = 2", "", "c = 3"];
        assert_eq!(chained_with(&lines, &[1]), vec![0, 1]);
        assert_eq!(chained_with(&lines, &[3]), vec![3]);
    }
}

/// A hand-written module as `terraform fmt` formats it: aligned groups broken by blank lines,
/// multi-line values and comments; a heredoc inside a group; comments and strings holding `=`.
#[cfg(test)]
mod formatted_fixture {
    const FORMATTED: &str = include_str!("testdata/formatted.tf");
    const INSERTED: &str = include_str!("testdata/inserted.tf");

    #[test]
    fn a_formatted_file_reads_as_formatted() {
        let lines: Vec<&str> = FORMATTED.split('\n').collect();
        assert_eq!(super::format(&lines), lines);
    }

    #[test]
    fn a_line_added_to_a_group_realigns_only_that_group() {
        let at = FORMATTED.find("\n\n  lifecycle").unwrap() + 1;
        let edits = super::super::edit::replace(
            crate::source::FileId(0),
            FORMATTED,
            at,
            at,
            "  maximum_batching_window_in_seconds = 1\n",
        );
        assert_eq!(super::super::edit::apply(FORMATTED, &edits), INSERTED);
        let lines: Vec<&str> = INSERTED.split('\n').collect();
        assert_eq!(super::format(&lines), lines);
    }
}
